using System.Security.Cryptography;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Tests.Storage;

/// <summary>Objects made up for a test and put into the fake through the Storage API itself.</summary>
internal static class StorageTestData
{
    public static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static Task UploadAsync(SupabaseStorageClient client, string bucket, string key, byte[] content,
        string contentType = "application/octet-stream", string? cacheControl = "max-age=3600", bool upsert = false) =>
        client.UploadAsync(bucket, key, () => new MemoryStream(content, writable: false), content.Length, contentType, cacheControl, upsert, CancellationToken.None);

    public static Task<byte[]> DownloadAsync(SupabaseStorageClient client, string bucket, string key) =>
        client.DownloadAsync(bucket, key, async (download, token) =>
        {
            using var copy = new MemoryStream();
            await download.Content.CopyToAsync(copy, token);
            return copy.ToArray();
        }, CancellationToken.None);

    public static Task CreateBucketAsync(SupabaseStorageClient client, string id, bool isPublic = false, long? fileSizeLimit = null, List<string>? mimeTypes = null) =>
        client.CreateBucketAsync(new StorageBucketSettings { Id = id, Name = id, Public = isPublic, FileSizeLimit = fileSizeLimit, AllowedMimeTypes = mimeTypes }, CancellationToken.None);

    /// <summary>Uploads <paramref name="count"/> objects of random sizes up to <paramref name="maxSize"/> at once; returns their content by key.</summary>
    public static async Task<Dictionary<string, byte[]>> UploadManyAsync(SupabaseStorageClient client, string bucket, string prefix, int count, int maxSize, int seed)
    {
        var random = new Random(seed);
        var objects = Enumerable.Range(0, count).ToDictionary(i => $"{prefix}{i % 7}/{i:D5}.bin", i => Bytes(1 + random.Next(maxSize), seed * 100_000 + i));
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (o, _) => await UploadAsync(client, bucket, o.Key, o.Value));
        return objects;
    }
}
