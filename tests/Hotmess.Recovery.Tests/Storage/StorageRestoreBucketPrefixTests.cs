using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

/// <summary>A set restored beside its own buckets under a prefix (what a storage drill does), and those buckets deleted again.</summary>
public sealed class StorageRestoreBucketPrefixTests : IAsyncLifetime
{
    private FakeServer _server = null!;
    private SupabaseStorageClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await FakeServer.StartAsync();
        _client = _server.NewClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task A_bucket_prefix_restores_each_bucket_beside_its_original_with_the_same_settings_and_objects()
    {
        await CreateBucketAsync(_client, "avatars", isPublic: true, fileSizeLimit: 500_000, mimeTypes: ["image/*"]);
        await UploadAsync(_client, "avatars", "u/1.png", Bytes(1_000, 1), "image/png", "max-age=60");
        var set = await StorageBackupEngine.BackupAsync(new StorageBackupRequest
        {
            SupabaseUrl = _server.BaseUrl,
            ServiceKey = StorageFakes.Key,
            Repository = _server.Repository,
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);

        var result = await StorageRestoreEngine.RestoreAsync(new StorageRestoreRequest
        {
            Set = set,
            SupabaseUrl = _server.BaseUrl,
            ServiceKey = StorageFakes.Key,
            BucketPrefix = "drill-",
            ClientOptions = StorageFakes.QuickRetries,
        }, new CollectingLog(), CancellationToken.None);

        Assert.True(result.Complete);
        Assert.Equal(["drill-avatars"], result.CreatedBuckets);
        Assert.Equal((1, 1), (result.UploadedCount, result.VerifiedCount));
        var copy = await _client.GetBucketAsync("drill-avatars", CancellationToken.None);
        Assert.Equal((true, (long?)500_000), (copy.Public, copy.FileSizeLimit));
        Assert.Equal(Bytes(1_000, 1), await DownloadAsync(_client, "drill-avatars", "u/1.png"));
        Assert.Equal("avatars/u/1.png", Assert.Single(((StorageBackupSet)BackupRepository.Open(set.Repository).GetSet(set.Id)).Contents.Objects).ToString());

        await _client.DeleteBucketAsync("drill-avatars", ["u/1.png"], CancellationToken.None);

        Assert.Equal(["avatars"], (await _client.ListBucketsAsync(CancellationToken.None)).Select(b => b.Id));
        Assert.Equal(Bytes(1_000, 1), await DownloadAsync(_client, "avatars", "u/1.png"));
    }
}
