using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

/// <summary>
/// With a tenth of the requests failing in each way Storage and networks fail, a backup either completes with
/// every object's content right, or fails naming the objects it could not fetch; a restore either puts every
/// object in place or names the ones it could not. Never a complete-looking result with a missing or corrupt object.
/// </summary>
public sealed class StorageReliabilityTests : IAsyncLifetime
{
    private FakeServer _fake = null!;
    private Dictionary<string, byte[]> _objects = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeServer.StartAsync();
        using var client = _fake.NewClient();
        await CreateBucketAsync(client, "uploads");
        await CreateBucketAsync(client, "avatars", isPublic: true);
        _objects = new Dictionary<string, byte[]>();
        foreach (var (bucket, count, maxSize) in new[] { ("uploads", 50, 200_000), ("avatars", 30, 5_000) })
        {
            foreach (var (key, content) in await UploadManyAsync(client, bucket, "media/", count, maxSize, count))
            {
                _objects[$"{bucket}/{key}"] = content;
            }
        }
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    /// <summary>Enough attempts that a tenth of failures of each kind almost never exhausts them.</summary>
    private static StorageClientOptions Patient => new() { MaxAttempts = 12, BaseBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxRetryAfter = TimeSpan.FromMilliseconds(50) };

    public static TheoryData<string, object> Faults => new()
    {
        { "500s", new { serverErrorRate = 0.1, seed = 1 } },
        { "429s", new { rateLimitRate = 0.1, retryAfterSeconds = 1, seed = 2 } },
        { "cut connections", new { cutRate = 0.1, seed = 3 } },
        { "all three", new { serverErrorRate = 0.1, rateLimitRate = 0.1, cutRate = 0.1, seed = 4 } },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_backup_under_faults_is_complete_and_right_or_fails_naming_objects(string kind, object faults)
    {
        await _fake.SetFaultsAsync(faults);
        StorageBackupSet? set = null;
        HotmessException? failure = null;
        try
        {
            set = await StorageBackupEngine.BackupAsync(new StorageBackupRequest
            {
                SupabaseUrl = _fake.BaseUrl,
                ServiceKey = StorageFakes.Key,
                Repository = _fake.Repository,
                ThrottleLimit = 6,
                ClientOptions = Patient,
            }, new CollectingLog(), CancellationToken.None);
        }
        catch (HotmessException ex) when (ex.ErrorId == "StorageBackupIncomplete")
        {
            failure = ex;
        }

        var injected = await _fake.FaultCountsAsync();
        Assert.True(injected.GetProperty("serverError").GetInt32() + injected.GetProperty("rateLimit").GetInt32() + injected.GetProperty("cut").GetInt32() > 0,
            $"no {kind} were injected");
        await _fake.ClearFaultsAsync();
        var sets = BackupRepository.Open(_fake.Repository).GetSets(BackupKind.Storage).ToList();
        if (failure is not null)
        {
            Assert.Empty(sets);
            Assert.NotEmpty((string[])failure.Target!);
            Assert.All((string[])failure.Target!, name => Assert.Contains(name, failure.Message));
            return;
        }

        Assert.Equal(set!.Id, Assert.Single(sets).Id);
        Assert.Equal(_objects.Count, set.ObjectCount);
        foreach (var (name, content) in _objects)
        {
            Assert.Equal(Sha256(content), set.Contents.Objects.Single(o => o.ToString() == name).Sha256);
        }

        Assert.True((await StorageVerifier.VerifyAsync(set, 100, new CollectingLog(), CancellationToken.None)).Passed);
    }

    [Fact]
    public async Task A_restore_under_faults_puts_every_object_in_place_or_names_those_it_could_not()
    {
        var set = await StorageBackupEngine.BackupAsync(new StorageBackupRequest
        {
            SupabaseUrl = _fake.BaseUrl,
            ServiceKey = StorageFakes.Key,
            Repository = _fake.Repository,
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);
        await using var target = await FakeServer.StartAsync();
        await target.SetFaultsAsync(new { serverErrorRate = 0.1, rateLimitRate = 0.1, cutRate = 0.1, seed = 5 });

        var result = await StorageRestoreEngine.RestoreAsync(new StorageRestoreRequest
        {
            Set = set,
            SupabaseUrl = target.BaseUrl,
            ServiceKey = StorageFakes.Key,
            ThrottleLimit = 6,
            ClientOptions = Patient,
        }, new CollectingLog(), CancellationToken.None);

        await target.ClearFaultsAsync();
        Assert.Empty(result.Conflicts);
        using var client = target.NewClient();
        var failed = result.Failures.Select(f => f.Object).ToHashSet();
        Assert.Equal(result.ObjectCount - failed.Count, result.VerifiedCount);
        Assert.Equal(failed.Count == 0, result.Complete);
        foreach (var (name, content) in _objects.Where(o => !failed.Contains(o.Key)))
        {
            var bucket = name[..name.IndexOf('/')];
            Assert.Equal(Sha256(content), Sha256(await DownloadAsync(client, bucket, name[(bucket.Length + 1)..])));
        }
    }
}
