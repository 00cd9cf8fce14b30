using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Supabase;

namespace Hotmess.Recovery.Storage;

/// <summary>
/// A typed client of the Supabase Storage REST API (<c>{SUPABASE_URL}/storage/v1</c>) on one shared
/// <see cref="HttpClient"/>: buckets, one-level listing with offset pagination, streaming download and upload.
/// Every request carries <c>apikey</c> (and the key as Bearer token when it is a JWT), is retried on 429, 5xx,
/// broken connections and timeouts with exponential backoff that honours <c>Retry-After</c>, and fails with a
/// <see cref="StorageApiException"/> or a <see cref="HotmessException"/> naming the bucket or object.
/// </summary>
public sealed class SupabaseStorageClient : IDisposable
{
    private static readonly UriCreationOptions KeepPathAsIs = new() { DangerousDisablePathAndQueryCanonicalization = true };

    private readonly HttpClient _http;
    private readonly Secret _key;
    private readonly bool _sendAsBearer;
    private readonly StorageClientOptions _options;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    public SupabaseStorageClient(Uri projectUrl, Secret serviceKey, StorageClientOptions? options = null, IOperationLog? log = null)
        : this(projectUrl, serviceKey, options, log, handler: null)
    {
    }

    /// <param name="handler">What sends the requests; a pooled socket handler when null (tests put a fake here).</param>
    internal SupabaseStorageClient(Uri projectUrl, Secret serviceKey, StorageClientOptions? options, IOperationLog? log, HttpMessageHandler? handler)
    {
        Endpoint = EndpointOf(projectUrl);
        _key = serviceKey;
        _sendAsBearer = SupabaseKeys.FormOf(serviceKey) is not (SupabaseKeyForm.Publishable or SupabaseKeyForm.Secret);
        _options = options ?? new StorageClientOptions();
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("Supabase Storage", _options.Resilience, _log);
        handler ??= new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(2, _options.MaxConnections),
            ConnectTimeout = _options.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false,
        };
        // No whole-request timer: it would also cover an upload's body. Each attempt arms its own deadlines.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(PlatformHttp.UserAgent);
    }

    /// <summary>The Storage API root, ending in <c>/storage/v1/</c>.</summary>
    public Uri Endpoint { get; }

    /// <summary><c>https://ref.supabase.co</c> and <c>https://ref.supabase.co/storage/v1</c> both name the same API.</summary>
    public static Uri EndpointOf(Uri projectUrl)
    {
        var root = PlatformHttp.AsBase(projectUrl, "The Supabase URL");
        return root.AbsolutePath.EndsWith("/storage/v1/", StringComparison.OrdinalIgnoreCase) ? root : new Uri(root, "storage/v1/");
    }

    public async Task<IReadOnlyList<StorageBucket>> ListBucketsAsync(CancellationToken cancellationToken) =>
        await SendAsync(_ => NewRequest(HttpMethod.Get, Route("bucket")), (r, t) => ReadJsonAsync(r, StorageJson.Default.ListStorageBucket, t),
            "list buckets", Endpoint.ToString(), cancellationToken).ConfigureAwait(false);

    public Task<StorageBucket> GetBucketAsync(string bucket, CancellationToken cancellationToken) =>
        SendAsync(_ => NewRequest(HttpMethod.Get, Route("bucket/" + Segment(bucket))), (r, t) => ReadJsonAsync(r, StorageJson.Default.StorageBucket, t),
            $"get bucket '{bucket}'", bucket, cancellationToken);

    public Task CreateBucketAsync(StorageBucketSettings settings, CancellationToken cancellationToken)
    {
        var name = settings.Name ?? settings.Id ?? throw new ArgumentException("A bucket needs a name.", nameof(settings));
        return SendAsync(_ => WithJson(NewRequest(HttpMethod.Post, Route("bucket")), settings, StorageJson.Default.StorageBucketSettings), Ignore,
            $"create bucket '{name}'", name, cancellationToken);
    }

    public Task UpdateBucketAsync(string bucket, StorageBucketSettings settings, CancellationToken cancellationToken)
    {
        var body = new StorageBucketSettings { Public = settings.Public, FileSizeLimit = settings.FileSizeLimit, AllowedMimeTypes = settings.AllowedMimeTypes };
        return SendAsync(_ => WithJson(NewRequest(HttpMethod.Put, Route("bucket/" + Segment(bucket))), body, StorageJson.Default.StorageBucketSettings), Ignore,
            $"update bucket '{bucket}'", bucket, cancellationToken);
    }

    /// <summary>
    /// Deletes a bucket: its objects first (<c>DELETE /object/{bucket}</c>, 1000 keys a request), then the bucket
    /// itself, which Storage refuses while it holds objects. Both are idempotent: a key or bucket already gone is fine.
    /// </summary>
    public async Task DeleteBucketAsync(string bucket, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        foreach (var batch in keys.Chunk(1000))
        {
            await SendAsync(_ => WithJson(NewRequest(HttpMethod.Delete, Route("object/" + Segment(bucket))), new StorageDeleteRequest(batch), StorageJson.Default.StorageDeleteRequest),
                Ignore, $"delete {batch.Length} object(s) of bucket '{bucket}'", bucket, cancellationToken).ConfigureAwait(false);
        }

        await SendAsync(_ => NewRequest(HttpMethod.Delete, Route("bucket/" + Segment(bucket))), Ignore, $"delete bucket '{bucket}'", bucket, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One page of one folder level: <c>POST /object/list/{bucket}</c>, sorted by name.</summary>
    public async Task<IReadOnlyList<StorageListEntry>> ListPageAsync(string bucket, string prefix, int limit, int offset, CancellationToken cancellationToken)
    {
        var body = new StorageListRequest(prefix, limit, offset, new StorageSortBy("name", "asc"));
        return await SendAsync(_ => WithJson(NewRequest(HttpMethod.Post, Route("object/list/" + Segment(bucket))), body, StorageJson.Default.StorageListRequest),
            (r, t) => ReadJsonAsync(r, StorageJson.Default.ListStorageListEntry, t), $"list '{bucket}/{prefix}'", $"{bucket}/{prefix}", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every entry of one folder level, page by page until a short page.</summary>
    public async IAsyncEnumerable<StorageListEntry> ListFolderAsync(string bucket, string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(_options.ListPageSize, 1, StorageClientOptions.MaxListPageSize);
        for (var offset = 0; ; offset += limit)
        {
            var page = await ListPageAsync(bucket, prefix, limit, offset, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page)
            {
                yield return entry;
            }

            if (page.Count < limit)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Every object under <paramref name="prefix"/> (a folder, "" for the whole bucket), walking folder entries
    /// with up to <paramref name="parallelism"/> listings at once. Keys are full keys; each appears once even if
    /// offset pages shifted while the bucket changed.
    /// </summary>
    public async Task<IReadOnlyList<StorageObjectInfo>> ListObjectsAsync(string bucket, string prefix, int parallelism, Action<int>? listed, CancellationToken cancellationToken)
    {
        if (prefix.Length > 0 && !prefix.EndsWith('/'))
        {
            prefix += "/";
        }

        var found = new ConcurrentDictionary<string, StorageObjectInfo>(StringComparer.Ordinal);
        var folders = Channel.CreateUnbounded<string>();
        var pending = 1;
        var count = 0;
        folders.Writer.TryWrite(prefix);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Exception? failure = null;

        async Task WalkAsync()
        {
            await foreach (var folder in folders.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                try
                {
                    await foreach (var entry in ListFolderAsync(bucket, folder, stop.Token).ConfigureAwait(false))
                    {
                        if (entry.IsFolder)
                        {
                            Interlocked.Increment(ref pending);
                            folders.Writer.TryWrite(folder + entry.Name + "/");
                        }
                        else if (found.TryAdd(folder + entry.Name, StorageObjectInfo.From(bucket, folder, entry)))
                        {
                            listed?.Invoke(Interlocked.Increment(ref count));
                        }
                    }
                }
                catch (Exception ex)
                {
                    Interlocked.CompareExchange(ref failure, ex, null);
                    folders.Writer.TryComplete();
                    await stop.CancelAsync().ConfigureAwait(false);
                    return;
                }

                if (Interlocked.Decrement(ref pending) == 0)
                {
                    folders.Writer.TryComplete();
                }
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, Math.Max(1, parallelism)).Select(_ => Task.Run(WalkAsync, CancellationToken.None))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (failure is not null)
        {
            // The walk was stopped because one listing failed; that failure is the one to report.
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();
        return found.Values.OrderBy(o => o.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Downloads one object and hands its body to <paramref name="consume"/>, which may be called again from the
    /// start when the transfer breaks (so it must start over, e.g. write a new temporary file). A body shorter than
    /// its <c>Content-Length</c> counts as broken.
    /// </summary>
    public Task<T> DownloadAsync<T>(string bucket, string key, Func<StorageDownload, CancellationToken, Task<T>> consume, CancellationToken cancellationToken) =>
        SendAsync(_ => NewRequest(HttpMethod.Get, ObjectRoute("object", bucket, key)), async (response, token) =>
            {
                var content = response.Content.Headers;
                await using var body = new TransferStream(await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false),
                    content.ContentLength, _options.ReadIdleTimeout, _resilience.Time, token);
                var download = new StorageDownload(body, content.ContentLength, content.ContentType?.ToString(),
                    response.Headers.CacheControl?.ToString(), response.Headers.ETag?.ToString(), content.LastModified);
                return await consume(download, token).ConfigureAwait(false);
            },
            $"download '{bucket}/{key}'", $"{bucket}/{key}", cancellationToken);

    /// <summary>
    /// Uploads one object from a stream opened anew for each attempt. Without <paramref name="upsert"/> an existing
    /// key fails with <c>StorageObjectExists</c>; when that answers a retry, the exception says so
    /// (<see cref="StorageApiException.AfterUncertainAttempt"/>): the first attempt may have stored the object.
    /// A large body is never cut by a whole-request timer: an attempt fails only when no byte is taken for
    /// <see cref="StorageClientOptions.SendIdleTimeout"/>, or when no response comes within
    /// <see cref="StorageClientOptions.ResponseTimeout"/> after the last byte.
    /// </summary>
    public Task<StorageUploadResult> UploadAsync(string bucket, string key, Func<Stream> openContent, long length, string? contentType, string? cacheControl,
        bool upsert, CancellationToken cancellationToken) =>
        SendAsync(deadline =>
            {
                var request = NewRequest(HttpMethod.Post, ObjectRoute("object", bucket, key));
                var body = new SendProgressStream(openContent(), length, deadline, _options.SendIdleTimeout, _options.ResponseTimeout);
                var content = new StreamContent(body, 1 << 17);
                content.Headers.ContentLength = length;
                content.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var type) ? type : new MediaTypeHeaderValue("application/octet-stream");
                request.Content = content;
                if (!string.IsNullOrEmpty(cacheControl))
                {
                    request.Headers.TryAddWithoutValidation("cache-control", cacheControl);
                }

                request.Headers.Add("x-upsert", upsert ? "true" : "false");
                return request;
            },
            (response, token) => ReadJsonAsync(response, StorageJson.Default.StorageUploadResult, token),
            $"upload '{bucket}/{key}'", $"{bucket}/{key}", cancellationToken, upload: true);

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Encodes a key for the URL path segment by segment, so '/' stays a separator and everything else, including
    /// '+', '&amp;', '%', '?', '#', spaces and unicode, arrives as written. Dot segments are escaped and the URI is
    /// not canonicalised, so <c>a/../b</c> reaches Storage as that key and not as <c>b</c>.
    /// </summary>
    internal static string EncodeKey(string key) => string.Join('/', key.Split('/').Select(Segment));

    private static string Segment(string segment) => segment switch
    {
        "." => "%2E",
        ".." => "%2E%2E",
        _ => Uri.EscapeDataString(segment),
    };

    private Uri Route(string relative) => new(Endpoint, relative);

    private Uri ObjectRoute(string route, string bucket, string key) =>
        new(Endpoint.AbsoluteUri + route + "/" + Segment(bucket) + "/" + EncodeKey(key), in KeepPathAsIs);

    private HttpRequestMessage NewRequest(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.TryAddWithoutValidation("apikey", _key.Reveal());
        if (_sendAsBearer)
        {
            // A legacy key is a JWT and goes in both headers, as Supabase's clients send it; an sb_ key is opaque and only the gateway reads it.
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key.Reveal());
        }

        return request;
    }

    private static HttpRequestMessage WithJson<T>(HttpRequestMessage request, T body, JsonTypeInfo<T> type)
    {
        request.Content = JsonContent.Create(body, type);
        return request;
    }

    private static Task<bool> Ignore(HttpResponseMessage response, CancellationToken cancellationToken) => Task.FromResult(true);

    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        await using var body = new TransferStream(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
            response.Content.Headers.ContentLength, _options.ReadIdleTimeout, _resilience.Time, cancellationToken);
        try
        {
            return await JsonSerializer.DeserializeAsync(body, type, cancellationToken).ConfigureAwait(false)
                   ?? throw new JsonException("The response body is empty.");
        }
        catch (JsonException ex)
        {
            throw new HotmessException("StorageResponseInvalid", FailureKind.RemoteServiceFailed,
                $"Supabase Storage at '{Endpoint}' answered {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} with a body it does not document: {ex.Message}",
                Endpoint.ToString(), ex);
        }
    }

    /// <summary>
    /// Sends a request built anew for each attempt and handles its successful response, through the shared pipeline
    /// (<see cref="HttpResilience"/>). Every Storage request is retried as idempotent: reads (the listing too, though
    /// it is a POST), updates, and creates whose repeat Storage recognises: a bucket or an object (<c>x-upsert:
    /// false</c>) stored by an earlier attempt answers "already exists", flagged by
    /// <see cref="StorageApiException.AfterUncertainAttempt"/>. Retried: 429, 5xx, Storage's database-pressure codes,
    /// refused or cut connections, bodies cut short, timeouts; anything else fails at once.
    /// </summary>
    private async Task<T> SendAsync<T>(Func<AttemptDeadline, HttpRequestMessage> createRequest, Func<HttpResponseMessage, CancellationToken, Task<T>> handle,
        string operation, object? target, CancellationToken cancellationToken, bool upload = false)
    {
        var uncertain = false;
        var attempts = 0;
        try
        {
            return await _resilience.ExecuteAsync(RetryRule.Idempotent, operation, async token =>
            {
                Interlocked.Increment(ref attempts);
                // A download waits this long for its headers; an upload first for its body to be taken (re-armed as it goes).
                using var deadline = upload
                    ? new AttemptDeadline(_options.SendIdleTimeout, _resilience.Time, token, $"no bytes sent for {_options.SendIdleTimeout.TotalSeconds:0.#}s")
                    : new AttemptDeadline(_options.ResponseTimeout, _resilience.Time, token, $"no response within {_options.ResponseTimeout.TotalSeconds:0.#}s");
                using var request = createRequest(deadline);
                HttpResponseMessage? response = null;
                try
                {
                    response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                    deadline.Disarm();
                    if (response.IsSuccessStatusCode)
                    {
                        return await handle(response, token).ConfigureAwait(false);
                    }

                    var error = StorageApiException.FromResponse(response.StatusCode, await ReadErrorBodyAsync(response, token).ConfigureAwait(false),
                        HttpResilience.RetryAfter(response, _resilience.Time), operation, target, Endpoint);
                    if (!error.IsTransient)
                    {
                        throw uncertain ? error.AsAfterUncertainAttempt() : error;
                    }

                    uncertain |= (int)response.StatusCode >= 500;
                    throw error;
                }
                catch (OperationCanceledException ex) when (deadline.Expired && !token.IsCancellationRequested)
                {
                    uncertain = true;
                    throw new TransferException(deadline.Reason, isTimeout: true, ex);
                }
                catch (Exception ex) when (ex is HttpRequestException or TransferException)
                {
                    uncertain = true;
                    throw;
                }
                finally
                {
                    response?.Dispose();
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageApiException ex) when (ex.IsTransient)
        {
            throw ex.WithAttempts(attempts);
        }
        catch (Exception ex) when (ex is HttpRequestException or TransferException or HttpTimeoutException)
        {
            throw Exhausted(ex, operation, target, attempts);
        }
    }

    private HotmessException Exhausted(Exception last, string operation, object? target, int attempts) => last switch
    {
        HttpTimeoutException or TransferException { IsTimeout: true } => new HotmessException("StorageTimeout", FailureKind.Timeout,
            $"Supabase Storage at '{Endpoint}' did not {operation} in time ({last.Message}) after {attempts} attempts.", target, last),
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError } => new HotmessException("StorageConnectionFailed", FailureKind.ConnectionFailed,
            $"Could not reach Supabase Storage at '{Endpoint}' to {operation}: {last.Message} (after {attempts} attempts).", target, last),
        _ => new HotmessException("StorageTransferFailed", FailureKind.ConnectionFailed,
            $"Could not {operation} at '{Endpoint}': {last.Message} (after {attempts} attempts).", target, last),
    };

    private static async Task<string> ReadErrorBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var buffer = new byte[64 * 1024];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // Without its body an error cannot be told apart (Storage answers 400 for most): ask again.
            throw new TransferException($"the error response broke off: {ex.Message}", isTimeout: false, ex);
        }
    }

    /// <summary>A transfer that broke mid-body: worth retrying from the start.</summary>
    private sealed class TransferException(string message, bool isTimeout, Exception? inner = null) : IOException(message, inner), IRetryableFailure
    {
        public bool IsTimeout { get; } = isTimeout;

        public bool IsTransient => true;

        public bool IsRateLimit => false;

        public TimeSpan? RetryAfter => null;
    }

    /// <summary>
    /// Wraps a response body: gives up when no byte arrives for the idle timeout, fails a body that ends before its
    /// Content-Length, and marks read failures as retryable, apart from failures of whoever consumes the bytes.
    /// </summary>
    private sealed class TransferStream : ForwardReadStream
    {
        private readonly long? _expected;
        private readonly TimeSpan _idleTimeout;
        private readonly CancellationToken _cancellationToken;
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _idle;
        private long _received;

        public TransferStream(Stream inner, long? expected, TimeSpan idleTimeout, TimeProvider time, CancellationToken cancellationToken)
            : base(inner)
        {
            _expected = expected;
            _idleTimeout = idleTimeout;
            _cancellationToken = cancellationToken;
            _timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            _idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
        }

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _received; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int read;
            _timer.CancelAfter(_idleTimeout);
            try
            {
                read = await Inner.ReadAsync(buffer, _idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!_cancellationToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TransferException($"no data for {_idleTimeout.TotalSeconds:0}s after {_received} bytes", isTimeout: true, ex);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw new TransferException($"the connection broke after {_received} bytes: {ex.Message}", isTimeout: false, ex);
            }
            finally
            {
                _timer.CancelAfter(Timeout.InfiniteTimeSpan);
            }

            _received += read;
            if (read == 0 && _expected is { } expected && _received != expected)
            {
                throw new TransferException($"the body ended after {_received} of {expected} bytes", isTimeout: false);
            }

            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _idle.Dispose();
                _timer.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
