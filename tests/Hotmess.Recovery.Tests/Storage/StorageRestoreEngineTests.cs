using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

public sealed class StorageRestoreEngineTests : IAsyncLifetime
{
    private FakeServer _source = null!;
    private FakeServer _target = null!;
    private SupabaseStorageClient _sourceClient = null!;
    private SupabaseStorageClient _targetClient = null!;

    public async Task InitializeAsync()
    {
        _source = await FakeServer.StartAsync();
        _target = await FakeServer.StartAsync();
        _sourceClient = _source.NewClient();
        _targetClient = _target.NewClient();
    }

    public async Task DisposeAsync()
    {
        _sourceClient.Dispose();
        _targetClient.Dispose();
        await _source.DisposeAsync();
        await _target.DisposeAsync();
    }

    private async Task<StorageBackupSet> BackUpSourceAsync() =>
        await StorageBackupEngine.BackupAsync(new StorageBackupRequest
        {
            SupabaseUrl = _source.BaseUrl,
            ServiceKey = StorageFakes.Key,
            Repository = _source.Repository,
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);

    private Task<StorageRestoreResult> RestoreAsync(BackupSet set, bool overwrite = false, string? prefix = null, params string[] buckets) =>
        StorageRestoreEngine.RestoreAsync(new StorageRestoreRequest
        {
            Set = set,
            SupabaseUrl = _target.BaseUrl,
            ServiceKey = StorageFakes.Key,
            Overwrite = overwrite,
            Prefix = prefix,
            Buckets = buckets,
            ThrottleLimit = 4,
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);

    private async Task<Dictionary<string, byte[]>> SeedSourceAsync()
    {
        await CreateBucketAsync(_sourceClient, "avatars", isPublic: true, fileSizeLimit: 500_000, mimeTypes: ["image/*"]);
        await CreateBucketAsync(_sourceClient, "uploads");
        await UploadAsync(_sourceClient, "avatars", "u/1.png", Bytes(1_000, 1), "image/png", "max-age=60");
        await UploadAsync(_sourceClient, "avatars", "u/2 + 3.jpg", Bytes(2_000, 2), "image/jpeg", "no-cache");
        var uploads = await UploadManyAsync(_sourceClient, "uploads", "docs/", 20, 80_000, 3);
        await UploadAsync(_sourceClient, "uploads", "ünï/日本.txt", Bytes(300, 4), "text/plain;charset=UTF-8", "max-age=1");
        return uploads;
    }

    [Fact]
    public async Task A_set_restores_into_an_empty_project_with_bucket_settings_content_types_and_cache_control()
    {
        var uploads = await SeedSourceAsync();
        var set = await BackUpSourceAsync();

        var result = await RestoreAsync(set);

        Assert.True(result.Complete);
        Assert.Equal(["avatars", "uploads"], result.CreatedBuckets.Order());
        Assert.Equal((23, 23, 0, 23), (result.ObjectCount, result.UploadedCount, result.SkippedCount, result.VerifiedCount));
        Assert.Equal(set.TotalBytes, result.UploadedBytes);
        var avatars = await _targetClient.GetBucketAsync("avatars", CancellationToken.None);
        Assert.Equal((true, (long?)500_000), (avatars.Public, avatars.FileSizeLimit));
        Assert.Equal(["image/*"], avatars.AllowedMimeTypes);

        var listed = (await _targetClient.ListObjectsAsync("avatars", "", 2, null, CancellationToken.None))
            .Concat(await _targetClient.ListObjectsAsync("uploads", "", 2, null, CancellationToken.None)).ToList();
        foreach (var entry in set.Contents.Objects)
        {
            var there = Assert.Single(listed, o => o.Bucket == entry.Bucket && o.Key == entry.Key);
            Assert.Equal((entry.Size, entry.ContentType, entry.CacheControl), (there.Size!.Value, there.ContentType, there.CacheControl));
        }

        foreach (var (key, content) in uploads)
        {
            Assert.Equal(content, await DownloadAsync(_targetClient, "uploads", key));
        }

        Assert.Equal(Bytes(2_000, 2), await DownloadAsync(_targetClient, "avatars", "u/2 + 3.jpg"));
    }

    [Fact]
    public async Task Restoring_again_leaves_identical_objects_alone()
    {
        await SeedSourceAsync();
        var set = await BackUpSourceAsync();
        await RestoreAsync(set);

        var again = await RestoreAsync(set);

        Assert.True(again.Complete);
        Assert.Equal((0, 23, 23), (again.UploadedCount, again.SkippedCount, again.VerifiedCount));
        Assert.Empty(again.CreatedBuckets);
    }

    [Fact]
    public async Task A_different_object_in_the_target_is_a_conflict_unless_overwriting_is_asked_for()
    {
        await SeedSourceAsync();
        var set = await BackUpSourceAsync();
        await RestoreAsync(set);
        var different = Bytes(1_000, 77);
        await UploadAsync(_targetClient, "avatars", "u/1.png", different, "image/png", upsert: true);

        var refused = await RestoreAsync(set);

        Assert.False(refused.Complete);
        Assert.Equal(["avatars/u/1.png"], refused.Conflicts);
        Assert.Equal(22, refused.VerifiedCount);
        Assert.Equal(different, await DownloadAsync(_targetClient, "avatars", "u/1.png"));

        var forced = await RestoreAsync(set, overwrite: true);

        Assert.True(forced.Complete);
        Assert.Equal((1, 22), (forced.UploadedCount, forced.SkippedCount));
        Assert.Equal(Bytes(1_000, 1), await DownloadAsync(_targetClient, "avatars", "u/1.png"));
    }

    [Fact]
    public async Task Bucket_and_prefix_choose_what_is_restored()
    {
        var uploads = await SeedSourceAsync();
        var set = await BackUpSourceAsync();

        var result = await RestoreAsync(set, prefix: "docs/3", buckets: "uploads");

        var expected = uploads.Keys.Where(k => k.StartsWith("docs/3", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.True(result.Complete);
        Assert.Equal(["uploads"], result.CreatedBuckets);
        Assert.Equal(expected.Count, result.UploadedCount);
        Assert.Equal(expected, (await _targetClient.ListObjectsAsync("uploads", "", 2, null, CancellationToken.None)).Select(o => o.Key));
        Assert.DoesNotContain(await _targetClient.ListBucketsAsync(CancellationToken.None), b => b.Id == "avatars");

        var unknown = await Assert.ThrowsAsync<HotmessException>(() => RestoreAsync(set, buckets: "nope"));
        Assert.Equal(("StorageBucketNotInSet", FailureKind.InvalidArgument, "nope"), (unknown.ErrorId, unknown.Kind, unknown.Target));
    }

    [Fact]
    public async Task A_set_whose_content_is_missing_from_the_repository_restores_nothing()
    {
        await SeedSourceAsync();
        var set = await BackUpSourceAsync();
        var lost = set.Contents.Objects.First(o => o.Bucket == "uploads");
        File.Delete(new ContentStore(Path.Combine(set.Repository, "objects")).PathOf(lost.Sha256));

        var refused = await Assert.ThrowsAsync<HotmessException>(() => RestoreAsync(set));

        Assert.Equal(("StorageRestoreSourceIncomplete", FailureKind.InvalidData), (refused.ErrorId, refused.Kind));
        Assert.Contains(lost.ToString(), (string[])refused.Target!);
        Assert.Empty(await _targetClient.ListBucketsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task An_object_whose_stored_content_is_damaged_is_refused_by_name_and_none_of_its_bytes_are_restored()
    {
        var uploads = await SeedSourceAsync();
        var big = Bytes(600_000, 5);
        await UploadAsync(_sourceClient, "uploads", "big/damaged.bin", big);
        var set = await BackUpSourceAsync();
        var damaged = set.Contents.Objects.Single(o => o.Key == "big/damaged.bin");
        // Same size, one byte flipped near the start: only the hash of the whole blob can tell.
        var blob = new ContentStore(Path.Combine(set.Repository, "objects")).PathOf(damaged.Sha256);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[10] ^= 0xFF;
        await File.WriteAllBytesAsync(blob, bytes);

        var result = await RestoreAsync(set);

        Assert.False(result.Complete);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("uploads/big/damaged.bin", "StorageObjectCorrupted", FailureKind.InvalidData), (failure.Object, failure.ErrorId, failure.Kind));
        Assert.Contains("'uploads/big/damaged.bin'", failure.Message);
        Assert.Equal((24, 23, 23), (result.ObjectCount, result.UploadedCount, result.VerifiedCount));
        var listed = await _targetClient.ListObjectsAsync("uploads", "", 2, null, CancellationToken.None);
        Assert.DoesNotContain(listed, o => o.Key == "big/damaged.bin");
        foreach (var (key, content) in uploads)
        {
            Assert.Equal(content, await DownloadAsync(_targetClient, "uploads", key));
        }
    }

    [Fact]
    public async Task A_damaged_object_is_not_written_over_the_one_in_the_target_even_when_overwriting()
    {
        await CreateBucketAsync(_sourceClient, "uploads");
        await UploadAsync(_sourceClient, "uploads", "a.bin", Bytes(300_000, 1));
        var set = await BackUpSourceAsync();
        var entry = Assert.Single(set.Contents.Objects);
        var blob = new ContentStore(Path.Combine(set.Repository, "objects")).PathOf(entry.Sha256);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[^1] ^= 0x01;
        await File.WriteAllBytesAsync(blob, bytes);
        await CreateBucketAsync(_targetClient, "uploads");
        var earlier = Bytes(1_000, 2);
        await UploadAsync(_targetClient, "uploads", "a.bin", earlier);

        var result = await RestoreAsync(set, overwrite: true);

        Assert.Equal("StorageObjectCorrupted", Assert.Single(result.Failures).ErrorId);
        Assert.Equal(0, result.UploadedCount);
        Assert.Equal(earlier, await DownloadAsync(_targetClient, "uploads", "a.bin"));
    }

    [Fact]
    public async Task An_object_the_target_refuses_is_named_and_the_rest_is_restored()
    {
        await CreateBucketAsync(_sourceClient, "legacy");
        await _source.SeedRawAsync("legacy", "../outside.txt", Bytes(10, 1));
        await UploadAsync(_sourceClient, "legacy", "fine.txt", Bytes(10, 2));
        var set = await BackUpSourceAsync();

        var result = await RestoreAsync(set);

        Assert.False(result.Complete);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(("legacy/../outside.txt", "StorageKeyInvalid", FailureKind.InvalidArgument), (failure.Object, failure.ErrorId, failure.Kind));
        Assert.Equal((1, 1), (result.UploadedCount, result.VerifiedCount));
        Assert.Equal(Bytes(10, 2), await DownloadAsync(_targetClient, "legacy", "fine.txt"));
    }

    [Fact]
    public async Task Only_storage_sets_restore_into_storage()
    {
        var manifest = new BackupManifest { Id = "20260101T000000Z-database-abcd", Kind = BackupKind.Database };
        var set = new BackupSet(_target.Repository, _target.Repository, manifest);

        var refused = await Assert.ThrowsAsync<HotmessException>(() => RestoreAsync(set));

        Assert.Equal(("BackupKindMismatch", FailureKind.InvalidArgument), (refused.ErrorId, refused.Kind));
    }
}
