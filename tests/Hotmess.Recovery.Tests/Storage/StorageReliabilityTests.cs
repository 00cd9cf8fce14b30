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

    private async Task<StorageBackupSet> BackUpAsync() =>
        await StorageBackupEngine.BackupAsync(new StorageBackupRequest
        {
            SupabaseUrl = _fake.BaseUrl,
            ServiceKey = StorageFakes.Key,
            Repository = _fake.Repository,
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);

    private static Task<StorageRestoreResult> RestoreAsync(StorageBackupSet set, FakeServer target) =>
        StorageRestoreEngine.RestoreAsync(new StorageRestoreRequest
        {
            Set = set,
            SupabaseUrl = target.BaseUrl,
            ServiceKey = StorageFakes.Key,
            ThrottleLimit = 6,
            ClientOptions = Patient,
        }, new CollectingLog(), CancellationToken.None);

    /// <summary>Each object's content as the target now holds it; null for one it does not have.</summary>
    private async Task<Dictionary<string, byte[]?>> TargetContentAsync(FakeServer target)
    {
        using var client = target.NewClient();
        var found = new Dictionary<string, byte[]?>();
        foreach (var name in _objects.Keys)
        {
            var bucket = name[..name.IndexOf('/')];
            try
            {
                found[name] = await DownloadAsync(client, bucket, name[(bucket.Length + 1)..]);
            }
            catch (StorageApiException ex) when (ex.ErrorId is "StorageObjectNotFound" or "StorageBucketNotFound")
            {
                found[name] = null;
            }
        }

        return found;
    }

    [Fact]
    public async Task A_restore_under_faults_puts_every_object_in_place_with_its_bytes()
    {
        var set = await BackUpAsync();
        await using var target = await FakeServer.StartAsync();
        await target.SetFaultsAsync(new { serverErrorRate = 0.1, rateLimitRate = 0.1, cutRate = 0.1, seed = 5 });

        var result = await RestoreAsync(set, target);

        var injected = await target.FaultCountsAsync();
        Assert.True(injected.GetProperty("serverError").GetInt32() > 0 && injected.GetProperty("rateLimit").GetInt32() > 0 && injected.GetProperty("cut").GetInt32() > 0,
            "not every kind of fault was injected");
        await target.ClearFaultsAsync();
        // Twelve attempts against a 27% chance of failure each: every object gets through.
        Assert.Empty(result.Failures);
        Assert.Empty(result.Conflicts);
        Assert.True(result.Complete);
        Assert.Equal((_objects.Count, _objects.Count), (result.ObjectCount, result.VerifiedCount));
        Assert.Equal(_objects.Count, result.UploadedCount + result.SkippedCount);
        var there = await TargetContentAsync(target);
        Assert.All(_objects, o => Assert.Equal(Sha256(o.Value), there[o.Key] is { } bytes ? Sha256(bytes) : "missing"));
    }

    [Fact]
    public async Task A_restore_that_cannot_put_some_objects_in_place_names_exactly_those_and_restores_the_rest()
    {
        var set = await BackUpAsync();
        await using var target = await FakeServer.StartAsync();
        // Every upload under one folder of one bucket fails for good; listings and the other objects are untouched.
        await target.SetFaultsAsync(new { serverErrorRate = 1.0, pathPrefix = "/storage/v1/object/uploads/media/3" });
        var unreachable = _objects.Keys.Where(n => n.StartsWith("uploads/media/3/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(unreachable);

        var result = await RestoreAsync(set, target);

        await target.ClearFaultsAsync();
        Assert.False(result.Complete);
        Assert.Equal(unreachable, result.Failures.Select(f => f.Object).Order(StringComparer.Ordinal));
        Assert.Equal(_objects.Count - unreachable.Count, result.VerifiedCount);
        var there = await TargetContentAsync(target);
        Assert.All(unreachable, name => Assert.Null(there[name]));
        Assert.All(_objects.Where(o => !unreachable.Contains(o.Key)), o => Assert.Equal(Sha256(o.Value), there[o.Key] is { } bytes ? Sha256(bytes) : "missing"));
    }
}
