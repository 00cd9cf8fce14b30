using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Repository.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Encryption;

public sealed class EncryptedRepositoryDescriptorTests : IAsyncDisposable
{
    private static readonly Secret First = new("first passphrase, long enough");
    private static readonly Secret Second = new("second passphrase, long enough");
    private static readonly CancellationToken None = CancellationToken.None;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotmess-crypt-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly LocalDirectoryStore _store;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    public EncryptedRepositoryDescriptorTests() => _store = new LocalDirectoryStore(_root);

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task<RepositoryKey> CreateAsync() => EncryptedRepositoryDescriptor.CreateAsync(_store, First, _clock, KdfParameters.Minimum, None);

    [Fact]
    public async Task A_new_repository_has_a_descriptor_with_its_parameters_and_no_key_in_clear()
    {
        Assert.False(await EncryptedRepositoryDescriptor.ExistsAsync(_store, None));

        using var key = await CreateAsync();

        Assert.True(await EncryptedRepositoryDescriptor.ExistsAsync(_store, None));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(_root, EncryptedRepositoryDescriptor.ObjectName)))!;
        Assert.Equal("hotmess-repository", (string?)json["format"]);
        Assert.Equal(1, (int?)json["version"]);
        Assert.Equal(_clock.GetUtcNow(), (DateTimeOffset?)json["createdUtc"]);
        Assert.Equal("Argon2id", (string?)json["encryption"]!["key"]!["kdf"]!["algorithm"]);
        Assert.Equal(KdfParameters.Minimum.MemoryKiB, (int?)json["encryption"]!["key"]!["kdf"]!["memoryKiB"]);
        Assert.Single(Directory.GetFiles(_root));
    }

    [Fact]
    public async Task Unlocking_gives_the_same_key()
    {
        using var created = await CreateAsync();

        using var unlocked = await EncryptedRepositoryDescriptor.UnlockAsync(_store, First, None);

        Assert.Equal(created.ObjectName("sets/x/manifest.json"), unlocked.ObjectName("sets/x/manifest.json"));
    }

    [Fact]
    public async Task A_second_create_is_refused_and_the_first_key_stays()
    {
        using var created = await CreateAsync();

        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.CreateAsync(_store, Second, _clock, KdfParameters.Minimum, None));

        Assert.Equal("RepositoryExists", failure.ErrorId);
        using var unlocked = await EncryptedRepositoryDescriptor.UnlockAsync(_store, First, None);
    }

    [Fact]
    public async Task A_location_holding_other_objects_is_not_initialised()
    {
        await _store.PutAsync("sets/old/manifest.json", new MemoryStream("{}"u8.ToArray()), None);

        var failure = await Assert.ThrowsAsync<HotmessException>(CreateAsync);

        Assert.Equal("RepositoryNotEmpty", failure.ErrorId);
        Assert.False(await EncryptedRepositoryDescriptor.ExistsAsync(_store, None));
    }

    [Fact]
    public async Task Unlocking_an_empty_location_says_there_is_no_repository()
    {
        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(_store, First, None));

        Assert.Equal("RepositoryNotFound", failure.ErrorId);
        Assert.Contains(_store.Location, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_passphrase_fails_naming_the_repository()
    {
        using var created = await CreateAsync();

        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(_store, Second, None));

        Assert.Equal("RepositoryKeyWrong", failure.ErrorId);
        Assert.Equal(_store.Location, failure.Target);
    }

    [Fact]
    public async Task Changing_the_key_keeps_data_readable_with_the_new_passphrase_and_not_the_old()
    {
        var plaintext = RandomNumberGenerator.GetBytes(200_000);
        using (var created = await CreateAsync())
        {
            await _store.PutAsync(created.ObjectName("data"), created.OpenEncrypting(new MemoryStream(plaintext), "data"), None);
        }

        var dataBefore = File.ReadAllBytes(Directory.GetFiles(_root).Single(f => !f.EndsWith(".json", StringComparison.Ordinal)));
        _clock.Advance(TimeSpan.FromDays(3));

        await EncryptedRepositoryDescriptor.ChangeKeyAsync(_store, First, Second, _clock, KdfParameters.Minimum, None);

        Assert.Equal("RepositoryKeyWrong", (await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(_store, First, None))).ErrorId);
        using var unlocked = await EncryptedRepositoryDescriptor.UnlockAsync(_store, Second, None);
        await using var read = unlocked.OpenDecrypting(await _store.OpenReadAsync(unlocked.ObjectName("data"), None), "data");
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(plaintext, copy.ToArray());
        Assert.Equal(dataBefore, File.ReadAllBytes(Directory.GetFiles(_root).Single(f => !f.EndsWith(".json", StringComparison.Ordinal))));
        var descriptor = await EncryptedRepositoryDescriptor.ReadAsync(_store, None);
        Assert.Equal(_clock.GetUtcNow(), descriptor.KeyChangedUtc);
        Assert.Equal(_clock.GetUtcNow().AddDays(-3), descriptor.CreatedUtc);
    }

    [Fact]
    public async Task A_key_change_with_the_wrong_current_passphrase_changes_nothing()
    {
        using var created = await CreateAsync();
        var before = File.ReadAllText(Path.Combine(_root, EncryptedRepositoryDescriptor.ObjectName));

        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.ChangeKeyAsync(_store, Second, First, _clock, KdfParameters.Minimum, None));

        Assert.Equal("RepositoryKeyWrong", failure.ErrorId);
        Assert.Equal(before, File.ReadAllText(Path.Combine(_root, EncryptedRepositoryDescriptor.ObjectName)));
    }

    [Fact]
    public async Task A_descriptor_lowered_below_the_minimum_cost_is_refused_before_deriving()
    {
        using var created = await CreateAsync();
        Alter(json => json["encryption"]!["key"]!["kdf"]!["memoryKiB"] = 8);

        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(_store, First, None));

        Assert.Equal("RepositoryDescriptorInvalid", failure.ErrorId);
    }

    [Fact]
    public async Task A_descriptor_of_a_later_format_is_refused_by_version()
    {
        using var created = await CreateAsync();
        Alter(json => json["version"] = 2);

        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(_store, First, None));

        Assert.Equal("RepositoryFormatUnsupported", failure.ErrorId);
    }

    [Fact]
    public async Task A_descriptor_that_is_not_json_is_damaged()
    {
        using var created = await CreateAsync();
        File.WriteAllText(Path.Combine(_root, EncryptedRepositoryDescriptor.ObjectName), "{ not json");

        var failure = await Assert.ThrowsAsync<HotmessException>(() => EncryptedRepositoryDescriptor.UnlockAsync(_store, First, None));

        Assert.Equal("RepositoryDescriptorInvalid", failure.ErrorId);
    }

    private void Alter(Action<JsonNode> change)
    {
        var path = Path.Combine(_root, EncryptedRepositoryDescriptor.ObjectName);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }
}
