using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

public sealed class StorageVerifierTests : IAsyncLifetime
{
    private FakeServer _fake = null!;
    private StorageBackupSet _set = null!;
    private ContentStore _store = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeServer.StartAsync();
        using var client = _fake.NewClient();
        await CreateBucketAsync(client, "uploads");
        await UploadManyAsync(client, "uploads", "", 30, 20_000, 1);
        _set = await StorageBackupEngine.BackupAsync(new StorageBackupRequest
        {
            SupabaseUrl = _fake.BaseUrl,
            ServiceKey = StorageFakes.Key,
            Repository = _fake.Repository,
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);
        _store = new ContentStore(Path.Combine(_fake.Repository, "objects"));
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    private StorageObjectEntry Object(int index) => _set.Contents.Objects[index];

    [Fact]
    public async Task An_intact_set_passes_every_object_check()
    {
        var verification = await StorageVerifier.VerifyAsync(_set, 100, new CollectingLog(), CancellationToken.None);

        Assert.True(verification.Passed);
        Assert.Equal((_set.Id, BackupKind.Storage), (verification.SetId, verification.Kind));
        Assert.All(verification.Checks, c => Assert.Equal(StorageVerifier.Category, c.Category));
        Assert.Contains(verification.Checks, c => c.Name == "Object content (SHA-256)" && c.Actual!.StartsWith("30 of 30", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_corrupt_object_fails_the_content_check_by_name()
    {
        var victim = Object(7);
        var bytes = await File.ReadAllBytesAsync(_store.PathOf(victim.Sha256));
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(_store.PathOf(victim.Sha256), bytes);

        var verification = await StorageVerifier.VerifyAsync(_set, 100, new CollectingLog(), CancellationToken.None);

        Assert.False(verification.Passed);
        var failed = Assert.Single(verification.Checks, c => !c.Passed);
        Assert.Equal("Object content (SHA-256)", failed.Name);
        Assert.Contains($"'{victim}'", failed.Actual);
        Assert.Contains($"'{victim}'", failed.Detail);
    }

    [Fact]
    public async Task A_missing_or_truncated_object_fails_by_name_even_when_only_a_sample_is_hashed()
    {
        var missing = Object(3);
        var truncated = Object(12);
        File.Delete(_store.PathOf(missing.Sha256));
        await File.WriteAllBytesAsync(_store.PathOf(truncated.Sha256), new byte[truncated.Size / 2]);

        var verification = await StorageVerifier.VerifyAsync(_set, 10, new CollectingLog(), CancellationToken.None);

        Assert.False(verification.Passed);
        var presence = Assert.Single(verification.Checks, c => c.Name == "Objects present in the content store");
        Assert.False(presence.Passed);
        Assert.Contains($"'{missing}'", presence.Actual);
        var sizes = Assert.Single(verification.Checks, c => c.Name == "Object sizes");
        Assert.False(sizes.Passed);
        Assert.Contains($"'{truncated}'", sizes.Detail);
        var content = Assert.Single(verification.Checks, c => c.Name == "Object content (SHA-256)");
        Assert.True(content.Passed);
        Assert.Contains("10% sample (3 of 28", content.Expected);
    }
}
