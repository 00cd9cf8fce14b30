using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hotmess.Recovery.Tests.Fakes;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

/// <summary>The Storage fake against api-contracts §1 and §7, spoken to in raw HTTP.</summary>
public sealed class StorageFakeContractTests : IAsyncLifetime
{
    private FakeServer _fake = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeServer.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_fake.BaseUrl, "storage/v1/") };
        _http.DefaultRequestHeaders.Add("apikey", FakeServer.ServiceKey);
        _http.DefaultRequestHeaders.Authorization = new("Bearer", FakeServer.ServiceKey);
        (await _http.PostAsJsonAsync("bucket", new { name = "b" })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _fake.DisposeAsync();
    }

    private async Task PutAsync(string key, byte[] content, string contentType = "application/octet-stream")
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new(contentType);
        (await _http.PostAsync("object/b/" + string.Join('/', key.Split('/').Select(Uri.EscapeDataString)), body)).EnsureSuccessStatusCode();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(method, new Uri(_fake.BaseUrl, "storage/v1/" + path));
        if (client is null)
        {
            request.Headers.Add("apikey", FakeServer.ServiceKey);
            request.Headers.Authorization = new("Bearer", FakeServer.ServiceKey);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await (client ?? _http).SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task The_gateway_answers_401_with_its_own_message_for_a_missing_or_wrong_apikey()
    {
        using var bare = new HttpClient();
        var (missingStatus, missing) = await SendAsync(HttpMethod.Get, "bucket", client: bare);
        Assert.Equal(HttpStatusCode.Unauthorized, missingStatus);
        Assert.Equal("No API key found in request", missing.GetProperty("message").GetString());
        Assert.False(missing.TryGetProperty("statusCode", out _));

        bare.DefaultRequestHeaders.Add("apikey", "wrong");
        var (wrongStatus, wrong) = await SendAsync(HttpMethod.Get, "bucket", client: bare);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongStatus);
        Assert.Equal("Invalid API key", wrong.GetProperty("message").GetString());
        Assert.Contains("service_role", wrong.GetProperty("hint").GetString());
    }

    [Fact]
    public async Task Storage_errors_are_http_400_with_a_string_status_code_in_the_body()
    {
        var (status, body) = await SendAsync(HttpMethod.Get, "bucket/nope");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(JsonValueKind.String, body.GetProperty("statusCode").ValueKind);
        Assert.Equal(("404", "NoSuchBucket", "Bucket not found", "Bucket not found"),
            (body.GetProperty("statusCode").GetString(), body.GetProperty("code").GetString(), body.GetProperty("error").GetString(), body.GetProperty("message").GetString()));

        await PutAsync("x.txt", [1]);
        using var duplicate = new ByteArrayContent([2]);
        var response = await _http.PostAsync("object/b/x.txt", duplicate);
        var conflict = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(("409", "KeyAlreadyExists"), (conflict.GetProperty("statusCode").GetString(), conflict.GetProperty("code").GetString()));

        var (routeStatus, route) = await SendAsync(HttpMethod.Get, "no/such/route");
        Assert.Equal(HttpStatusCode.NotFound, routeStatus);
        Assert.Equal("Route GET:/no/such/route not found", route.GetProperty("message").GetString());

        var (bucketDeleteStatus, notEmpty) = await SendAsync(HttpMethod.Delete, "bucket/b");
        Assert.Equal(HttpStatusCode.BadRequest, bucketDeleteStatus);
        Assert.Equal("ResourceNotEmpty", notEmpty.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Listing_v1_returns_one_level_with_folder_entries_a_default_page_of_100_and_a_search()
    {
        for (var i = 0; i < 120; i++)
        {
            await PutAsync($"photos/p{i:D3}.jpg", [1], "image/jpeg");
        }

        await PutAsync("photos/2026/deep/x.jpg", [1]);
        await PutAsync("Readme.md", [1, 2, 3], "text/markdown");

        var (_, root) = await SendAsync(HttpMethod.Post, "object/list/b", new { prefix = "" });
        Assert.Equal(["photos", "Readme.md"], root.EnumerateArray().Select(e => e.GetProperty("name").GetString()));
        var folder = root[0];
        Assert.True(new[] { "id", "updated_at", "created_at", "last_accessed_at", "metadata" }.All(p => folder.GetProperty(p).ValueKind == JsonValueKind.Null));
        var metadata = root[1].GetProperty("metadata");
        Assert.Equal((3, "text/markdown", "no-cache"), (metadata.GetProperty("size").GetInt32(), metadata.GetProperty("mimetype").GetString(), metadata.GetProperty("cacheControl").GetString()));
        Assert.StartsWith("\"", metadata.GetProperty("eTag").GetString());

        var (_, page) = await SendAsync(HttpMethod.Post, "object/list/b", new { prefix = "photos" });
        Assert.Equal(100, page.GetArrayLength());
        Assert.Equal("2026", page[0].GetProperty("name").GetString());
        var (_, rest) = await SendAsync(HttpMethod.Post, "object/list/b", new { prefix = "photos/", limit = 100, offset = 100 });
        Assert.Equal(21, rest.GetArrayLength());
        var (_, found) = await SendAsync(HttpMethod.Post, "object/list/b", new { prefix = "photos", search = "P11" });
        Assert.Equal(10, found.GetArrayLength());

        var (missingStatus, missing) = await SendAsync(HttpMethod.Post, "object/list/b", new { limit = 10 });
        Assert.Equal(HttpStatusCode.BadRequest, missingStatus);
        Assert.Contains("prefix", missing.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Listing_v2_pages_with_a_cursor_until_has_next_is_false()
    {
        for (var i = 0; i < 25; i++)
        {
            await PutAsync($"d{i % 3}/f{i:D2}", [1]);
        }

        var names = new List<string>();
        string? cursor = null;
        for (var pages = 0; ; pages++)
        {
            Assert.True(pages < 10);
            var (_, body) = await SendAsync(HttpMethod.Post, "object/list-v2/b", cursor is null ? new { limit = 10 } : new { limit = 10, cursor });
            names.AddRange(body.GetProperty("objects").EnumerateArray().Select(o => o.GetProperty("name").GetString()!));
            if (!body.GetProperty("hasNext").GetBoolean())
            {
                break;
            }

            cursor = body.GetProperty("nextCursor").GetString();
        }

        Assert.Equal(25, names.Count);
        Assert.Contains("d1/f01", names);

        var (_, folders) = await SendAsync(HttpMethod.Post, "object/list-v2/b", new { with_delimiter = true });
        Assert.Equal(["d0/", "d1/", "d2/"], folders.GetProperty("folders").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Downloads_serve_ranges_and_conditional_requests()
    {
        await PutAsync("r.bin", Encoding.ASCII.GetBytes("0123456789"));

        using var range = new HttpRequestMessage(HttpMethod.Get, "object/b/r.bin");
        range.Headers.Range = new(2, 4);
        using var partial = await _http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("234", await partial.Content.ReadAsStringAsync());
        Assert.Equal("bytes 2-4/10", partial.Content.Headers.ContentRange!.ToString());

        using var bad = new HttpRequestMessage(HttpMethod.Get, "object/b/r.bin");
        bad.Headers.TryAddWithoutValidation("Range", "bytes=20-30");
        using var invalid = await _http.SendAsync(bad);
        Assert.Equal((HttpStatusCode)416, invalid.StatusCode);

        using var full = await _http.GetAsync("object/b/r.bin");
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "object/b/r.bin");
        conditional.Headers.IfNoneMatch.Add(full.Headers.ETag!);
        using var notModified = await _http.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Bulk_delete_takes_at_most_1000_keys_and_answers_only_what_it_deleted()
    {
        await PutAsync("a", [1]);
        await PutAsync("c", [1]);

        var (tooManyStatus, tooMany) = await SendAsync(HttpMethod.Delete, "object/b", new { prefixes = Enumerable.Range(0, 1001).Select(i => $"k{i}") });
        Assert.Equal(HttpStatusCode.BadRequest, tooManyStatus);
        Assert.Equal("Bulk object requests are limited to 1000 objects per request.", tooMany.GetProperty("message").GetString());

        var (_, deleted) = await SendAsync(HttpMethod.Delete, "object/b", new { prefixes = new[] { "a", "b-missing", "c" } });
        Assert.Equal(["a", "c"], deleted.EnumerateArray().Select(d => d.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Buckets_and_objects_survive_a_restart_from_the_data_folder()
    {
        await PutAsync("kept/one.bin", Bytes(5_000, 1), "image/png");
        using var before = await _http.GetAsync("object/b/kept/one.bin");

        await _fake.RestartAsync();

        using var client = _fake.NewClient();
        Assert.Equal(Bytes(5_000, 1), await DownloadAsync(client, "b", "kept/one.bin"));
        var listed = Assert.Single(await client.ListObjectsAsync("b", "", 1, null, CancellationToken.None));
        Assert.Equal((before.Headers.ETag!.ToString(), "image/png"), (listed.ETag, listed.ContentType));
    }
}
