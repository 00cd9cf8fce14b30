using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Retention;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Storage;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Retention;

/// <summary>A prune on one thread, a storage backup against the Storage fake on another, on one repository.</summary>
public sealed class PruneRaceTests : StorageFakeTests
{
    /// <summary>
    /// The first set is removed while a second backup runs that reuses most of its objects: a prune that did not wait
    /// for the backup would delete them (only the first manifest named them yet), and the second set would point at
    /// nothing.
    /// </summary>
    [Theory]
    [InlineData("after the backup chose what to reuse")]
    [InlineData("at the same moment")]
    public async Task A_prune_racing_a_storage_backup_never_leaves_a_manifest_pointing_at_a_deleted_object(string start)
    {
        await CreateBucketAsync(Client, "uploads");
        var objects = await UploadManyAsync(Client, "uploads", "", 30, 20_000, 7);
        var first = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);
        var replacedKey = objects.Keys.Order(StringComparer.Ordinal).First();
        var replacedDigest = first.Contents.Objects.Single(o => o.Key == replacedKey).Sha256;
        await UploadAsync(Client, "uploads", replacedKey, Bytes(5_000, 99), upsert: true);
        await UploadManyAsync(Client, "uploads", "new/", 20, 20_000, 8);
        await Fake.SetFaultsAsync(new { latencyMs = 40, pathPrefix = "/storage/v1/object" });

        var repository = BackupRepository.Open(Fake.Repository);
        var backup = Task.Run(() => StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None));
        if (start == "after the backup chose what to reuse")
        {
            await WaitForIncompleteStorageSetAsync(repository, backup);
        }

        var prune = Task.Run(() => BackupPruner.RemoveAsync(repository, [first.Id], prune: true, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(2),
            new CollectingLog(), CancellationToken.None));
        await Task.WhenAll(Settle(backup), Settle(prune));

        var pruned = await prune;
        Assert.Equal([first.Id], pruned.RemovedSetIds);
        Assert.Equal(0, pruned.IncompleteSetsRemoved); // the set the awaited backup was writing was completed, not abandoned
        if (backup.IsFaulted)
        {
            // Only a backup that started while the prune held the repository may be refused, and then whole.
            Assert.Equal("at the same moment", start);
            Assert.Equal("RepositoryLocked", Assert.IsType<HotmessException>(backup.Exception!.InnerException).ErrorId);
        }
        else
        {
            // Started first, the backup reuses what the removed set stored; started after the prune, it downloads everything.
            var second = await backup;
            Assert.Equal(50, second.ObjectCount);
            Assert.Contains(second.ReusedCount, start == "at the same moment" ? new[] { 29, 0 } : new[] { 29 });
            Assert.Equal([second.Id], repository.GetSets().Select(s => s.Id).ToArray());
        }

        var store = new ContentStore(repository.ObjectsPath);
        foreach (var set in repository.GetSets(BackupKind.Storage).Cast<StorageBackupSet>())
        {
            foreach (var entry in set.Contents.Objects)
            {
                var check = await store.CheckAsync(entry.Sha256, entry.Size, hash: true, CancellationToken.None);
                Assert.True(check.State == ContentState.Present, $"{set.Id}: {entry} is {check.State}");
            }
        }

        Assert.DoesNotContain(replacedDigest, store.Digests());
    }

    private StorageBackupRequest Request() => new()
    {
        SupabaseUrl = Fake.BaseUrl,
        ServiceKey = StorageFakes.Key,
        Repository = Fake.Repository,
        ThrottleLimit = 2,
        ClientOptions = StorageFakes.QuickRetries,
    };

    /// <summary>A storage backup creates its set folder once it has listed the objects and chosen which stored ones to reuse.</summary>
    private static async Task WaitForIncompleteStorageSetAsync(BackupRepository repository, Task backup)
    {
        while (!repository.GetIncompleteSetPaths().Any(p => Path.GetFileName(p).Contains("-storage-", StringComparison.Ordinal)))
        {
            Assert.False(backup.IsCompleted, "The backup ended before it was seen running.");
            await Task.Delay(5);
        }
    }

    private static async Task Settle(Task task)
    {
        try
        {
            await task;
        }
        catch (HotmessException)
        {
            // Inspected by the test.
        }
    }
}
