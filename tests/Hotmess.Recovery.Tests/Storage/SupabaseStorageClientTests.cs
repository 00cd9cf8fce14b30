using System.Net.Http.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

public sealed class SupabaseStorageClientTests : StorageFakeTests
{
    [Fact]
    public void The_endpoint_is_the_storage_api_of_the_project_url()
    {
        Assert.Equal("https://abc.supabase.co/storage/v1/", SupabaseStorageClient.EndpointOf(new Uri("https://abc.supabase.co")).ToString());
        Assert.Equal("https://abc.supabase.co/storage/v1/", SupabaseStorageClient.EndpointOf(new Uri("https://abc.supabase.co/storage/v1")).ToString());
        Assert.Equal("http://127.0.0.1:5000/proxy/storage/v1/", SupabaseStorageClient.EndpointOf(new Uri("http://127.0.0.1:5000/proxy/")).ToString());
    }

    [Fact]
    public async Task Buckets_are_created_read_and_updated_with_their_settings()
    {
        await CreateBucketAsync(Client, "avatars", isPublic: true, fileSizeLimit: 1_000_000, mimeTypes: ["image/*"]);
        await CreateBucketAsync(Client, "uploads");

        var listed = await Client.ListBucketsAsync(CancellationToken.None);
        var avatars = Assert.Single(listed, b => b.Id == "avatars");
        Assert.True(avatars.Public);
        Assert.Equal(1_000_000, avatars.FileSizeLimit);
        Assert.Equal(["image/*"], avatars.AllowedMimeTypes);
        Assert.Equal("STANDARD", avatars.Type);
        Assert.Contains(listed, b => b.Id == "uploads" && !b.Public && b.FileSizeLimit is null);

        await Client.UpdateBucketAsync("avatars", new StorageBucketSettings { Public = false, FileSizeLimit = null, AllowedMimeTypes = null }, CancellationToken.None);
        var updated = await Client.GetBucketAsync("avatars", CancellationToken.None);
        Assert.False(updated.Public);
        Assert.Null(updated.FileSizeLimit);
        Assert.Null(updated.AllowedMimeTypes);
    }

    [Fact]
    public async Task Errors_are_read_from_the_body_status_code_not_the_http_status()
    {
        var missingBucket = await Assert.ThrowsAsync<StorageApiException>(() => Client.GetBucketAsync("nope", CancellationToken.None));
        Assert.Equal(("StorageBucketNotFound", FailureKind.NotFound, 400, 404, "NoSuchBucket"),
            (missingBucket.ErrorId, missingBucket.Kind, missingBucket.HttpStatus, missingBucket.StatusCode, missingBucket.Code));
        Assert.Equal("nope", missingBucket.Target);

        await CreateBucketAsync(Client, "b");
        var duplicateBucket = await Assert.ThrowsAsync<StorageApiException>(() => CreateBucketAsync(Client, "b"));
        Assert.Equal(("StorageBucketExists", FailureKind.AlreadyExists, 409), (duplicateBucket.ErrorId, duplicateBucket.Kind, duplicateBucket.StatusCode));

        await UploadAsync(Client, "b", "x.txt", Bytes(10, 1));
        var duplicateKey = await Assert.ThrowsAsync<StorageApiException>(() => UploadAsync(Client, "b", "x.txt", Bytes(10, 2)));
        Assert.Equal(("StorageObjectExists", FailureKind.AlreadyExists, 400, 409), (duplicateKey.ErrorId, duplicateKey.Kind, duplicateKey.HttpStatus, duplicateKey.StatusCode));
        Assert.False(duplicateKey.AfterUncertainAttempt);
        Assert.Equal("b/x.txt", duplicateKey.Target);

        var missingObject = await Assert.ThrowsAsync<StorageApiException>(() => DownloadAsync(Client, "b", "nothing.txt"));
        Assert.Equal(("StorageObjectNotFound", FailureKind.NotFound, "NoSuchKey"), (missingObject.ErrorId, missingObject.Kind, missingObject.Code));

        var invalidKey = await Assert.ThrowsAsync<StorageApiException>(() => UploadAsync(Client, "b", "100%.txt", Bytes(1, 1)));
        Assert.Equal(("StorageKeyInvalid", FailureKind.InvalidArgument), (invalidKey.ErrorId, invalidKey.Kind));

        // Upserting replaces the content.
        await UploadAsync(Client, "b", "x.txt", Bytes(20, 3), upsert: true);
        Assert.Equal(Bytes(20, 3), await DownloadAsync(Client, "b", "x.txt"));
    }

    [Fact]
    public async Task A_wrong_key_is_refused_by_the_gateway_without_the_key_in_the_message()
    {
        using var wrong = new SupabaseStorageClient(Fake.BaseUrl, new Secret("not-the-service-key-9999"), StorageFakes.QuickRetries);
        var refused = await Assert.ThrowsAsync<StorageApiException>(() => wrong.ListBucketsAsync(CancellationToken.None));
        Assert.Equal(("StorageApiKeyInvalid", FailureKind.AuthenticationFailed, 401), (refused.ErrorId, refused.Kind, refused.HttpStatus));
        Assert.Null(refused.StatusCode);
        Assert.Contains("Invalid API key", refused.Message);
        Assert.DoesNotContain("not-the-service-key", refused.Message);
    }

    [Fact]
    public async Task Listing_pages_through_a_folder_larger_than_the_page_cap()
    {
        await CreateBucketAsync(Client, "many");
        // 1,600 objects in one folder, big/000/000000.bin to big/000/001599.bin, written by the fake's own generator.
        using var generated = await Fake.Control.PostAsJsonAsync("__fake/storage/generate", new { bucket = "many", prefix = "big/", count = 1_600, minSize = 1, maxSize = 1, folders = 1 });
        generated.EnsureSuccessStatusCode();
        var names = Enumerable.Range(0, 1_600).Select(i => $"{i:D6}.bin").ToList();
        await UploadAsync(Client, "many", "top.txt", [1]);

        using var smallPages = Fake.NewClient(new StorageClientOptions { ListPageSize = 100 });
        var entries = new List<StorageListEntry>();
        await foreach (var entry in smallPages.ListFolderAsync("many", "big/000", CancellationToken.None))
        {
            entries.Add(entry);
        }

        Assert.Equal(names, entries.Select(e => e.Name));

        // Storage clamps a page to 1500 whatever limit is asked for.
        var capped = await Client.ListPageAsync("many", "big/000/", 5_000, 0, CancellationToken.None);
        Assert.Equal(1_500, capped.Count);

        var all = await Client.ListObjectsAsync("many", "", 4, null, CancellationToken.None);
        Assert.Equal(1_601, all.Count);
        Assert.Equal(all.Count, all.Select(o => o.Key).Distinct().Count());
        Assert.Contains(all, o => o.Key == "big/000/001599.bin" && o.Size == 1);
    }

    [Fact]
    public async Task Listing_recurses_into_folder_entries_and_returns_full_keys()
    {
        await CreateBucketAsync(Client, "tree");
        string[] keys = ["a.txt", "d1/b.txt", "d1/d2/c.txt", "d1/d2/d3/e.txt", "d1/.emptyFolderPlaceholder", "z/y/x/w.txt"];
        foreach (var key in keys)
        {
            await UploadAsync(Client, "tree", key, Bytes(key.Length, 1), "text/plain", "max-age=60");
        }

        var root = await Client.ListPageAsync("tree", "", 100, 0, CancellationToken.None);
        Assert.Equal(["a.txt", "d1", "z"], root.Select(e => e.Name));
        Assert.True(root.Single(e => e.Name == "d1").IsFolder);
        Assert.Null(root.Single(e => e.Name == "d1").Metadata);
        Assert.False(root.Single(e => e.Name == "a.txt").IsFolder);

        var all = await Client.ListObjectsAsync("tree", "", 3, null, CancellationToken.None);
        Assert.Equal(keys.Order(StringComparer.Ordinal), all.Select(o => o.Key));
        var c = all.Single(o => o.Key == "d1/d2/c.txt");
        Assert.Equal(("text/plain", "max-age=60", 11L), (c.ContentType, c.CacheControl, c.Size));
        Assert.StartsWith("\"", c.ETag);
        Assert.NotNull(c.LastModified);

        var below = await Client.ListObjectsAsync("tree", "d1/d2", 2, null, CancellationToken.None);
        Assert.Equal(["d1/d2/c.txt", "d1/d2/d3/e.txt"], below.Select(o => o.Key));
    }

    [Fact]
    public async Task Awkward_keys_arrive_and_come_back_exactly_as_written()
    {
        await CreateBucketAsync(Client, "keys");
        string[] keys =
        [
            "with space/and+plus&amp.txt",
            "ünïcødé/日本語 ファイル.png",
            "emoji 😀/x.bin",
            "a..b/..c/d..",
            "semi;colon:at@eq=$,.txt",
            "(paren)'quote'!*.txt",
            "q?x.txt",
        ];
        for (var i = 0; i < keys.Length; i++)
        {
            await UploadAsync(Client, "keys", keys[i], Bytes(100 + i, i));
        }

        // Keys an older Storage accepted, with dot segments: they must reach Storage as written, not resolved.
        string[] legacy = ["../../escape.txt", "a/./b.txt", "a/../b.txt"];
        for (var i = 0; i < legacy.Length; i++)
        {
            await Fake.SeedRawAsync("keys", legacy[i], Bytes(50 + i, 100 + i));
        }

        var listed = await Client.ListObjectsAsync("keys", "", 4, null, CancellationToken.None);
        Assert.Equal(keys.Concat(legacy).Order(StringComparer.Ordinal), listed.Select(o => o.Key));
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.Equal(Bytes(100 + i, i), await DownloadAsync(Client, "keys", keys[i]));
        }

        for (var i = 0; i < legacy.Length; i++)
        {
            Assert.Equal(Bytes(50 + i, 100 + i), await DownloadAsync(Client, "keys", legacy[i]));
        }
    }

    [Fact]
    public async Task Rate_limits_wait_as_long_as_retry_after_says_then_fail_as_rate_limited()
    {
        await Fake.SetFaultsAsync(new { rateLimitRate = 1.0, retryAfterSeconds = 2 });
        var clock = new FakeTimeProvider();
        var sent = new ScriptedHandler(clock);
        using var client = new SupabaseStorageClient(Fake.BaseUrl, StorageFakes.Key,
            new StorageClientOptions { MaxAttempts = 4, MaxRetryAfter = TimeSpan.FromSeconds(60), Time = clock }, null, sent);

        var failure = await Assert.ThrowsAsync<StorageApiException>(() => clock.RunAsync(() => client.ListBucketsAsync(CancellationToken.None)));

        Assert.Equal(("StorageRateLimited", FailureKind.RateLimited, 429, "SlowDown"), (failure.ErrorId, failure.Kind, failure.HttpStatus, failure.Code));
        Assert.Contains("after 4 attempts", failure.Message);
        Assert.Equal(4, sent.SentAt.Count);
        // On the client's clock each attempt left at least the 2 s Storage asked for after the one before, and not the 60 s cap.
        Assert.All(sent.SentAt.Zip(sent.SentAt.Skip(1), (a, b) => b - a), gap => Assert.InRange(gap, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10)));
        Assert.Equal(4, (await Fake.FaultCountsAsync()).GetProperty("rateLimit").GetInt32());
    }

    [Fact]
    public async Task A_lasting_server_error_is_retried_with_backoff_up_to_the_attempt_limit_then_reported_with_the_attempts()
    {
        await Fake.SetFaultsAsync(new { serverErrorRate = 1.0 });
        var clock = new FakeTimeProvider();
        var sent = new ScriptedHandler(clock);
        var options = new StorageClientOptions { MaxAttempts = 5, BaseBackoff = TimeSpan.FromMilliseconds(500), MaxBackoff = TimeSpan.FromSeconds(4), Time = clock };
        using var client = new SupabaseStorageClient(Fake.BaseUrl, StorageFakes.Key, options, null, sent);

        var failure = await Assert.ThrowsAsync<StorageApiException>(() => clock.RunAsync(() => client.ListBucketsAsync(CancellationToken.None)));

        Assert.Equal(("StorageServiceFailed", FailureKind.RemoteServiceFailed), (failure.ErrorId, failure.Kind));
        Assert.Contains("after 5 attempts", failure.Message);
        Assert.Equal(5, sent.SentAt.Count);
        // Each retry waited on the clock, never longer than the backoff ceiling (plus a step of the fake clock).
        Assert.All(sent.SentAt.Zip(sent.SentAt.Skip(1), (a, b) => b - a), gap => Assert.InRange(gap, TimeSpan.FromTicks(1), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task An_upload_slower_than_the_response_timeout_succeeds_while_its_bytes_keep_moving()
    {
        var content = Bytes(320 * 1024, 9);
        var server = new SlowReadingStorage(pause: TimeSpan.FromMilliseconds(250), stallAfter: null);
        var options = new StorageClientOptions { ResponseTimeout = TimeSpan.FromSeconds(1), SendIdleTimeout = TimeSpan.FromSeconds(2), MaxAttempts = 1 };
        using var client = new SupabaseStorageClient(Fake.BaseUrl, StorageFakes.Key, options, null, server);

        await UploadAsync(client, "b", "slow.bin", content);

        Assert.Equal(1, server.Requests);
        Assert.Equal(content.Length, server.Received);
    }

    [Fact]
    public async Task A_stalled_upload_fails_with_an_idle_timeout_naming_the_bytes_sent()
    {
        var server = new SlowReadingStorage(pause: TimeSpan.Zero, stallAfter: 64 * 1024);
        var options = new StorageClientOptions
        {
            ResponseTimeout = TimeSpan.FromSeconds(30), SendIdleTimeout = TimeSpan.FromSeconds(1), MaxAttempts = 2, BaseBackoff = TimeSpan.FromMilliseconds(5),
        };
        using var client = new SupabaseStorageClient(Fake.BaseUrl, StorageFakes.Key, options, null, server);

        var failure = await Assert.ThrowsAsync<HotmessException>(() => UploadAsync(client, "b", "stalled.bin", Bytes(320 * 1024, 10)));

        Assert.Equal(("StorageTimeout", FailureKind.Timeout), (failure.ErrorId, failure.Kind));
        Assert.Contains("no bytes sent for 1s", failure.Message);
        Assert.Contains("after 2 attempts", failure.Message);
        Assert.Equal(2, server.Requests);
    }

    [Fact]
    public async Task Server_errors_are_retried_until_the_request_succeeds()
    {
        await CreateBucketAsync(Client, "b");
        await Fake.SetFaultsAsync(new { serverErrorRate = 0.5, seed = 7 });

        for (var i = 0; i < 20; i++)
        {
            Assert.Single(await Client.ListBucketsAsync(CancellationToken.None));
        }

        Assert.True((await Fake.FaultCountsAsync()).GetProperty("serverError").GetInt32() > 0);
    }

    [Fact]
    public async Task Downloads_cut_mid_body_are_retried_and_never_return_partial_content()
    {
        await CreateBucketAsync(Client, "b");
        var content = Bytes(300_000, 5);
        await UploadAsync(Client, "b", "big.bin", content);
        await Fake.SetFaultsAsync(new { cutRate = 0.5, pathPrefix = "/storage/v1/object/b", seed = 3 });

        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(Sha256(content), Sha256(await DownloadAsync(Client, "b", "big.bin")));
        }

        Assert.True((await Fake.FaultCountsAsync()).GetProperty("cut").GetInt32() > 0);
    }

    [Fact]
    public async Task A_create_answered_already_exists_after_a_cut_attempt_says_its_first_attempt_may_have_landed()
    {
        await CreateBucketAsync(Client, "b");
        await Fake.SetFaultsAsync(new { cutRate = 0.5, pathPrefix = "/storage/v1/object/b", seed = 11 });
        var contents = Enumerable.Range(0, 40).ToDictionary(i => $"k{i}.bin", i => Bytes(2_000, i));
        var flagged = 0;
        foreach (var (key, content) in contents)
        {
            try
            {
                await UploadAsync(Client, "b", key, content);
            }
            catch (StorageApiException ex) when (ex.ErrorId == "StorageObjectExists")
            {
                Assert.True(ex.AfterUncertainAttempt);
                flagged++;
            }
        }

        await Fake.ClearFaultsAsync();
        Assert.True(flagged > 0);
        foreach (var (key, content) in contents)
        {
            Assert.Equal(content, await DownloadAsync(Client, "b", key));
        }
    }

    [Fact]
    public async Task An_unreachable_server_fails_as_a_connection_failure_naming_the_endpoint()
    {
        var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        var closed = ((System.Net.IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();
        using var client = new SupabaseStorageClient(new Uri($"http://127.0.0.1:{closed}"), StorageFakes.Key,
            new StorageClientOptions { MaxAttempts = 2, BaseBackoff = TimeSpan.FromMilliseconds(1) });

        var failure = await Assert.ThrowsAsync<HotmessException>(() => client.ListBucketsAsync(CancellationToken.None));

        Assert.Equal(("StorageConnectionFailed", FailureKind.ConnectionFailed), (failure.ErrorId, failure.Kind));
        Assert.Contains($"127.0.0.1:{closed}", failure.Message);
    }

    /// <summary>
    /// A Storage stand-in that takes an upload's body slowly (a pause after each read), or stops taking it after
    /// some bytes, then answers as Storage does.
    /// </summary>
    private sealed class SlowReadingStorage(TimeSpan pause, int? stallAfter) : HttpMessageHandler
    {
        private int _requests;
        private long _received;

        public int Requests => _requests;

        public long Received => Interlocked.Read(ref _received);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            Interlocked.Exchange(ref _received, 0);
            await using var body = await request.Content!.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[32 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (stallAfter is { } limit && Interlocked.Add(ref _received, read) >= limit)
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                else if (stallAfter is null)
                {
                    Interlocked.Add(ref _received, read);
                }

                await Task.Delay(pause, cancellationToken);
            }

            return new HttpResponseMessage(System.Net.HttpStatusCode.OK)
            {
                RequestMessage = request,
                Content = JsonContent.Create(new Dictionary<string, string> { ["Id"] = Guid.NewGuid().ToString(), ["Key"] = "b/slow.bin" }),
            };
        }
    }
}
