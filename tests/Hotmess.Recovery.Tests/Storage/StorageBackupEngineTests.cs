using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

public sealed class StorageBackupEngineTests : StorageFakeTests
{
    private StorageBackupRequest Request(bool full = false, bool verifyContentStore = false, params string[] buckets) => new()
    {
        SupabaseUrl = Fake.BaseUrl,
        ServiceKey = StorageFakes.Key,
        Repository = Fake.Repository,
        Buckets = buckets,
        Full = full,
        VerifyContentStore = verifyContentStore,
        ThrottleLimit = 4,
        ClientOptions = StorageFakes.QuickRetries,
    };

    [Fact]
    public async Task A_full_backup_records_every_bucket_with_its_settings_and_every_object_with_its_content()
    {
        await CreateBucketAsync(Client, "avatars", isPublic: true, fileSizeLimit: 2_000_000, mimeTypes: ["image/png", "image/jpeg"]);
        await CreateBucketAsync(Client, "uploads");
        var avatar = Bytes(40_000, 1);
        await UploadAsync(Client, "avatars", "users/1/me.png", avatar, "image/png", "max-age=60");
        var uploads = await UploadManyAsync(Client, "uploads", "media/", 30, 100_000, 2);

        var set = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);

        Assert.Equal(BackupKind.Storage, set.Kind);
        Assert.Equal((31, 31, 0), (set.ObjectCount, set.DownloadedCount, set.ReusedCount));
        Assert.Equal(avatar.Length + uploads.Values.Sum(u => u.Length), set.TotalBytes);
        Assert.Equal(set.TotalBytes, set.DownloadedBytes);
        Assert.Equal(set.TotalBytes, set.SizeBytes);
        var bucket = Assert.Single(set.Contents.Buckets, b => b.Id == "avatars");
        Assert.True(bucket.Public);
        Assert.Equal(2_000_000, bucket.FileSizeLimit);
        Assert.Equal(["image/png", "image/jpeg"], bucket.AllowedMimeTypes);
        Assert.Equal((1, (long)avatar.Length), (bucket.ObjectCount, bucket.TotalBytes));

        var me = Assert.Single(set.Contents.Objects, o => o.Key == "users/1/me.png");
        Assert.Equal(("avatars", avatar.Length, Sha256(avatar), "image/png", "max-age=60"), (me.Bucket, (int)me.Size, me.Sha256, me.ContentType, me.CacheControl));
        Assert.NotNull(me.ETag);
        Assert.NotNull(me.LastModified);
        var store = new ContentStore(Path.Combine(Fake.Repository, "objects"));
        foreach (var (key, content) in uploads)
        {
            var entry = Assert.Single(set.Contents.Objects, o => o.Bucket == "uploads" && o.Key == key);
            Assert.Equal(Sha256(content), entry.Sha256);
            Assert.Equal(content, await File.ReadAllBytesAsync(store.PathOf(entry.Sha256)));
        }

        // Read back from disk, the set keeps its storage figures.
        var listed = Assert.IsType<StorageBackupSet>(Assert.Single(BackupRepository.Open(Fake.Repository).GetSets(BackupKind.Storage)));
        Assert.Equal((set.Id, 31, 31, set.TotalBytes), (listed.Id, listed.ObjectCount, listed.DownloadedCount, listed.TotalBytes));
    }

    [Fact]
    public async Task A_rerun_downloads_only_what_changed()
    {
        await CreateBucketAsync(Client, "uploads");
        var objects = await UploadManyAsync(Client, "uploads", "", 25, 50_000, 3);
        var first = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);

        var unchanged = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);
        Assert.Equal((25, 0, 25, 0L), (unchanged.ObjectCount, unchanged.DownloadedCount, unchanged.ReusedCount, unchanged.DownloadedBytes));
        Assert.NotEqual(first.Id, unchanged.Id);

        var keys = objects.Keys.Order(StringComparer.Ordinal).ToList();
        var replaced = Bytes(777, 99);
        await UploadAsync(Client, "uploads", keys[0], replaced, upsert: true);
        await UploadAsync(Client, "uploads", "new/one.bin", Bytes(10, 98));
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, new Uri(Fake.BaseUrl, $"storage/v1/object/uploads/{keys[1]}")))
        {
            delete.Headers.Add("apikey", FakeServer.ServiceKey);
            delete.Headers.Authorization = new("Bearer", FakeServer.ServiceKey);
            (await Fake.Control.SendAsync(delete)).EnsureSuccessStatusCode();
        }

        var changed = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);
        Assert.Equal((25, 2, 23), (changed.ObjectCount, changed.DownloadedCount, changed.ReusedCount));
        Assert.Equal(Sha256(replaced), changed.Contents.Objects.Single(o => o.Key == keys[0]).Sha256);
        Assert.DoesNotContain(changed.Contents.Objects, o => o.Key == keys[1]);

        var full = await StorageBackupEngine.BackupAsync(Request(full: true), new CollectingLog(), CancellationToken.None);
        Assert.Equal((25, 25, 0), (full.ObjectCount, full.DownloadedCount, full.ReusedCount));
        Assert.True(full.Contents.Full);
        Assert.Equal(4, BackupRepository.Open(Fake.Repository).GetSets(BackupKind.Storage).Count());
    }

    [Fact]
    public async Task A_truncated_object_in_the_content_store_is_downloaded_again_by_an_incremental_backup_and_repaired()
    {
        await CreateBucketAsync(Client, "uploads");
        var objects = await UploadManyAsync(Client, "uploads", "", 12, 50_000, 6);
        var first = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);
        var victim = first.Contents.Objects[3];
        var blob = new ContentStore(Path.Combine(Fake.Repository, "objects")).PathOf(victim.Sha256);
        await using (var file = new FileStream(blob, FileMode.Open, FileAccess.Write))
        {
            file.SetLength(victim.Size / 2);
        }

        var log = new CollectingLog();
        var next = await StorageBackupEngine.BackupAsync(Request(), log, CancellationToken.None);

        Assert.Equal((12, 1, 11), (next.ObjectCount, next.DownloadedCount, next.ReusedCount));
        Assert.Equal(objects[victim.Key], await File.ReadAllBytesAsync(blob));
        Assert.Contains(log.Warnings, w => w.Contains($"'{victim}'", StringComparison.Ordinal));
        Assert.True((await StorageVerifier.VerifyAsync(next, 100, new CollectingLog(), CancellationToken.None)).Passed);
    }

    [Fact]
    public async Task A_stored_object_with_a_flipped_byte_is_reused_by_a_normal_run_and_repaired_by_a_run_that_verifies_the_content_store()
    {
        await CreateBucketAsync(Client, "uploads");
        var objects = await UploadManyAsync(Client, "uploads", "", 12, 50_000, 7);
        var first = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);
        var victim = first.Contents.Objects[5];
        var blob = new ContentStore(Path.Combine(Fake.Repository, "objects")).PathOf(victim.Sha256);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(blob, bytes);

        // Same size: a normal run trusts the store, as the help says; the set's verification would name it.
        var normal = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);
        Assert.Equal((12, 0, 12), (normal.ObjectCount, normal.DownloadedCount, normal.ReusedCount));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(blob));

        var log = new CollectingLog();
        var checkedRun = await StorageBackupEngine.BackupAsync(Request(verifyContentStore: true), log, CancellationToken.None);

        Assert.Equal((12, 1, 11), (checkedRun.ObjectCount, checkedRun.DownloadedCount, checkedRun.ReusedCount));
        Assert.Equal(objects[victim.Key], await File.ReadAllBytesAsync(blob));
        Assert.Contains(log.Warnings, w => w.Contains($"'{victim}'", StringComparison.Ordinal));
        Assert.True((await StorageVerifier.VerifyAsync(checkedRun, 100, new CollectingLog(), CancellationToken.None)).Passed);
        Assert.True((await StorageVerifier.VerifyAsync(normal, 100, new CollectingLog(), CancellationToken.None)).Passed);
    }

    [Fact]
    public async Task Only_the_chosen_buckets_are_backed_up_and_an_unknown_one_is_refused_by_name()
    {
        await CreateBucketAsync(Client, "avatars");
        await CreateBucketAsync(Client, "products");
        await UploadAsync(Client, "avatars", "a.png", Bytes(10, 1));
        await UploadAsync(Client, "products", "p.png", Bytes(10, 2));

        var set = await StorageBackupEngine.BackupAsync(Request(buckets: ["products"]), new CollectingLog(), CancellationToken.None);
        Assert.Equal(["products"], set.Contents.Buckets.Select(b => b.Id));
        Assert.Equal(["products/p.png"], set.Contents.Objects.Select(o => o.ToString()));

        var refused = await Assert.ThrowsAsync<HotmessException>(() => StorageBackupEngine.BackupAsync(Request(buckets: ["nope"]), new CollectingLog(), CancellationToken.None));
        Assert.Equal(("StorageBucketNotFound", FailureKind.NotFound, "nope"), (refused.ErrorId, refused.Kind, refused.Target));
        Assert.Contains("avatars, products", refused.Message);
        Assert.Single(BackupRepository.Open(Fake.Repository).GetSets());
        Assert.Empty(BackupRepository.Open(Fake.Repository).GetIncompleteSetPaths());
    }

    [Fact]
    public async Task Object_keys_are_kept_exactly_and_never_become_paths()
    {
        await CreateBucketAsync(Client, "uploads");
        string[] keys = ["with space/a+b&c.txt", "ünï/日本.png", "..hidden", "x..y/..z"];
        string[] legacy = ["../../escape-one.txt", "a/../../escape-two.txt", "./b.txt", "/leading.txt"];
        for (var i = 0; i < keys.Length; i++)
        {
            await UploadAsync(Client, "uploads", keys[i], Bytes(100, i));
        }

        for (var i = 0; i < legacy.Length; i++)
        {
            await Fake.SeedRawAsync("uploads", legacy[i], Bytes(100, 50 + i));
        }

        var set = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);

        Assert.Equal(keys.Concat(legacy).Order(StringComparer.Ordinal), set.Contents.Objects.Select(o => o.Key));
        for (var i = 0; i < legacy.Length; i++)
        {
            Assert.Equal(Sha256(Bytes(100, 50 + i)), set.Contents.Objects.Single(o => o.Key == legacy[i]).Sha256);
        }

        Assert.Empty(Directory.EnumerateFiles(Fake.Root, "*escape*", SearchOption.AllDirectories));
        Assert.Empty(Directory.EnumerateFiles(Fake.Root, "*leading*", SearchOption.AllDirectories));
        var objects = Path.Combine(Fake.Repository, "objects");
        foreach (var file in Directory.EnumerateFiles(objects, "*", SearchOption.AllDirectories).Where(f => !f.Contains(Path.DirectorySeparatorChar + "journal" + Path.DirectorySeparatorChar)))
        {
            var name = Path.GetFileName(file);
            Assert.True(ContentStore.IsDigest(name), $"'{file}' is not named by a digest");
            Assert.Equal(Path.Combine(objects, name[..2], name), file);
        }
    }

    [Fact]
    public async Task An_interrupted_backup_records_no_set_and_the_next_run_reuses_what_it_stored()
    {
        await CreateBucketAsync(Client, "uploads");
        var objects = await UploadManyAsync(Client, "uploads", "", 40, 60_000, 4);
        await Fake.SetFaultsAsync(new { latencyMs = 30, pathPrefix = "/storage/v1/object/uploads" });
        using var interrupt = new CancellationTokenSource();
        var log = new InterruptingLog(interrupt, afterDownloads: 1);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StorageBackupEngine.BackupAsync(Request(), log, interrupt.Token));

        var repository = BackupRepository.Open(Fake.Repository);
        Assert.Empty(repository.GetSets());
        Assert.Empty(repository.GetIncompleteSetPaths());
        // A run killed outright leaves its folder and a partial download; the next run clears both.
        var killed = Path.Combine(repository.SetsPath, "20260101T000000Z-storage-dead");
        Directory.CreateDirectory(killed);
        Directory.CreateDirectory(Path.Combine(repository.ObjectsPath, "tmp"));
        await File.WriteAllBytesAsync(Path.Combine(repository.ObjectsPath, "tmp", "x.partial"), [1]);
        await Fake.ClearFaultsAsync();

        var resumed = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);

        Assert.Equal(40, resumed.ObjectCount);
        Assert.InRange(resumed.ReusedCount, 1, 39);
        Assert.Equal(40, resumed.ReusedCount + resumed.DownloadedCount);
        Assert.False(Directory.Exists(killed));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(repository.ObjectsPath, "tmp")));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(repository.ObjectsPath, "journal")));
        foreach (var (key, content) in objects)
        {
            Assert.Equal(Sha256(content), resumed.Contents.Objects.Single(o => o.Key == key).Sha256);
        }

        var verification = await StorageVerifier.VerifyAsync(resumed, 100, new CollectingLog(), CancellationToken.None);
        Assert.True(verification.Passed);
    }

    [Fact]
    public async Task Objects_that_cannot_be_fetched_are_named_and_no_set_is_recorded()
    {
        await CreateBucketAsync(Client, "uploads");
        var fine = await UploadManyAsync(Client, "uploads", "fine/", 10, 20_000, 5);
        await UploadAsync(Client, "uploads", "broken/1.bin", Bytes(100, 1));
        await UploadAsync(Client, "uploads", "broken/2.bin", Bytes(100, 2));
        await Fake.SetFaultsAsync(new { serverErrorRate = 1.0, pathPrefix = "/storage/v1/object/uploads/broken" });

        var failure = await Assert.ThrowsAsync<HotmessException>(() => StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None));

        Assert.Equal(("StorageBackupIncomplete", FailureKind.RemoteServiceFailed), (failure.ErrorId, failure.Kind));
        Assert.Equal(["uploads/broken/1.bin", "uploads/broken/2.bin"], Assert.IsType<string[]>(failure.Target));
        Assert.Contains("'uploads/broken/1.bin' (StorageServiceFailed)", failure.Message);
        Assert.Contains("2 of 12 objects", failure.Message);
        var repository = BackupRepository.Open(Fake.Repository);
        Assert.Empty(repository.GetSets());
        Assert.Empty(repository.GetIncompleteSetPaths());

        await Fake.ClearFaultsAsync();
        var next = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);
        Assert.Equal((12, 2, 10), (next.ObjectCount, next.DownloadedCount, next.ReusedCount));
        Assert.Equal(fine.Count, next.Contents.Objects.Count(o => o.Key.StartsWith("fine/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_second_backup_of_the_same_kind_is_refused_while_one_runs()
    {
        var repository = BackupRepository.OpenOrCreate(Fake.Repository);
        using var held = repository.Lock(BackupKind.Storage);

        var refused = await Assert.ThrowsAsync<HotmessException>(() => StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None));

        Assert.Equal("RepositoryLocked", refused.ErrorId);
    }

    /// <summary>Cancels the run once the download progress reports a few objects done.</summary>
    private sealed class InterruptingLog(CancellationTokenSource interrupt, int afterDownloads) : IOperationLog
    {
        public void Verbose(string message) { }

        public void Warning(string message) { }

        public void Progress(OperationProgress progress)
        {
            if (progress.Activity.StartsWith("Backing up", StringComparison.Ordinal) && !progress.Completed
                && int.Parse(progress.Status.Split(' ')[0], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture) >= afterDownloads)
            {
                interrupt.Cancel();
            }
        }
    }
}
