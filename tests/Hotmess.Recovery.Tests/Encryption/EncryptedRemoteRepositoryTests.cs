using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support.Emulators;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Encryption;

/// <summary>The encrypted repository over Azurite and s3rver: what the remote holds is the descriptor and keyed ciphertext only.</summary>
public sealed class EncryptedRemoteRepositoryTests(AzuriteFixture azurite, S3rverFixture s3rver) : IClassFixture<AzuriteFixture>, IClassFixture<S3rverFixture>
{
    private static readonly Secret First = new("first passphrase, long enough");
    private static readonly Secret Second = new("second passphrase, long enough");
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    private IObjectStore Open(string scheme) => scheme == "az"
        ? azurite.OpenStore($"az://encrypted/t-{Guid.NewGuid():N}")
        : s3rver.OpenStore($"s3://encrypted/t-{Guid.NewGuid():N}");

    [Theory]
    [InlineData("az")]
    [InlineData("s3")]
    public async Task An_object_written_before_a_key_change_reads_back_after_it_with_the_new_passphrase_only(string scheme)
    {
        await using var store = Open(scheme);
        var plaintext = RandomNumberGenerator.GetBytes(300_000);
        const string logical = "sets/database-20261201T120000Z/dump/toc.dat";
        using (var key = await EncryptedRepositoryDescriptor.CreateAsync(store, First, _clock, KdfParameters.Minimum, None))
        {
            await store.PutAsync(key.ObjectName(logical), key.OpenEncrypting(new MemoryStream(plaintext), logical), None);
        }

        await EncryptedRepositoryDescriptor.ChangeKeyAsync(store, First, Second, _clock, KdfParameters.Minimum, None);

        var wrong = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(store, First, None));
        Assert.Equal("RepositoryKeyWrong", wrong.ErrorId);
        Assert.Contains(store.Location, wrong.Message, StringComparison.Ordinal);
        using var unlocked = await EncryptedRepositoryDescriptor.UnlockAsync(store, Second, None);
        await using var read = unlocked.OpenDecrypting(await store.OpenReadAsync(unlocked.ObjectName(logical), None), logical);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(plaintext, copy.ToArray());

        var names = new List<string>();
        await foreach (var info in store.ListAsync("", None))
        {
            names.Add(info.Name);
        }

        Assert.Equal([unlocked.ObjectName(logical), EncryptedRepositoryDescriptor.ObjectName], names);
        Assert.Equal(RepositoryKey.EncryptedLength(plaintext.Length), (await store.GetInfoAsync(names[0], None))!.Length);
    }

    [Theory]
    [InlineData("az")]
    [InlineData("s3")]
    public async Task A_second_initialisation_of_a_remote_is_refused(string scheme)
    {
        await using var store = Open(scheme);
        using var key = await EncryptedRepositoryDescriptor.CreateAsync(store, First, _clock, KdfParameters.Minimum, None);

        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.CreateAsync(store, Second, _clock, KdfParameters.Minimum, None));

        Assert.Equal("RepositoryExists", failure.ErrorId);
        Assert.True(await EncryptedRepositoryDescriptor.ExistsAsync(store, None));
    }

    [Theory]
    [InlineData("az")]
    [InlineData("s3")]
    public async Task An_empty_remote_is_no_repository(string scheme)
    {
        await using var store = Open(scheme);

        Assert.False(await EncryptedRepositoryDescriptor.ExistsAsync(store, None));
        Assert.Equal("RepositoryNotFound", (await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(store, First, None))).ErrorId);
    }
}
