using Hotmess.Recovery.Common;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;

namespace Hotmess.Recovery.Tests.Storage;

/// <summary>Storage clients pointed at the fake, and objects seeded behind the API's back.</summary>
public static class StorageFakes
{
    public static Secret Key => new(FakeServer.ServiceKey);

    /// <summary>Fast retries, so fault tests spend their time on work rather than on waiting.</summary>
    public static StorageClientOptions QuickRetries => new() { BaseBackoff = TimeSpan.FromMilliseconds(5), MaxBackoff = TimeSpan.FromMilliseconds(50), MaxRetryAfter = TimeSpan.FromMilliseconds(50) };

    public static SupabaseStorageClient NewClient(this FakeServer fake, StorageClientOptions? options = null, IOperationLog? log = null) =>
        new(fake.BaseUrl, Key, options ?? QuickRetries, log);

    /// <summary>Stores an object as an older Storage could have left it, without today's key rules.</summary>
    public static async Task SeedRawAsync(this FakeServer fake, string bucket, string key, byte[] content, string contentType = "application/octet-stream")
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await fake.Control.PostAsync($"__fake/storage/objects?bucket={Uri.EscapeDataString(bucket)}&key={Uri.EscapeDataString(key)}", body);
        response.EnsureSuccessStatusCode();
    }
}
