using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;

namespace Hotmess.Recovery.Fakes.Storage;

/// <summary>
/// Supabase Storage at <c>/storage/v1</c> (api-contracts §1), file-backed under <c>--data-dir</c>: buckets with
/// their settings, one-level <c>/object/list</c> with folder entries and offset pagination (default 100, cap 1500),
/// <c>/object/list-v2</c> with cursors (cap 1000), download with ranges and conditional requests, upload (raw or
/// multipart, <c>x-upsert</c>), info, delete (bulk ≤ 1000), move and copy; Storage's error bodies with their
/// string <c>statusCode</c>; and the gateway's <c>apikey</c> check against <c>--service-key</c>
/// or a service-role key of a project created through the Management fake.
/// <c>--storage-file-size-limit</c> sets the project's upload limit in bytes (default 50 MB).
/// Keyed object routes are matched on the raw request target: the server would otherwise resolve dot segments,
/// and a key such as <c>a/../b</c> must reach Storage as that key.
/// </summary>
public static partial class StorageFake
{
    public const string Prefix = "/storage/v1";

    private static readonly string[] ListColumns = ["name", "updated_at", "created_at", "last_accessed_at"];

    public static void MapStorage(this WebApplication app, FakeOptions options)
    {
        var limit = long.TryParse(app.Configuration["storage-file-size-limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) ? l : 50L * 1024 * 1024;
        var state = new StorageFakeState(options.DataDirectory, limit);
        FaultInjector.For(app).DescribeErrors(Prefix, StorageErrors.Fault);
        var api = new StorageApi(state, options);

        var storage = app.MapGroup(Prefix);
        storage.MapGet("/bucket", Handler(c => api.Run(c, Access.Token, _ => api.ListBuckets(c))));
        storage.MapGet("/bucket/{bucketId}", (HttpContext c, string bucketId) => api.Run(c, Access.Token, _ => api.GetBucket(bucketId)));
        storage.MapPost("/bucket", Handler(c => api.Run(c, Access.Token, _ => api.CreateBucket(c))));
        storage.MapPut("/bucket/{bucketId}", (HttpContext c, string bucketId) => api.Run(c, Access.Token, _ => api.UpdateBucket(c, bucketId)));
        storage.MapDelete("/bucket/{bucketId}", (HttpContext c, string bucketId) => api.Run(c, Access.Token, _ => api.DeleteBucket(bucketId)));
        storage.MapPost("/bucket/{bucketId}/empty", (HttpContext c, string bucketId) => api.Run(c, Access.Token, role => api.EmptyBucket(bucketId, role)));

        storage.MapPost("/object/list/{bucketName}", (HttpContext c, string bucketName) => api.Run(c, Access.Token, _ => api.ListV1(c, bucketName)));
        storage.MapPost("/object/list-v2/{bucketName}", (HttpContext c, string bucketName) => api.Run(c, Access.Token, _ => api.ListV2(c, bucketName)));
        storage.MapDelete("/object/{bucketName}", (HttpContext c, string bucketName) => api.Run(c, Access.Token, _ => api.DeleteMany(c, bucketName)));
        storage.MapPost("/object/move", Handler(c => api.Run(c, Access.Token, _ => api.Move(c))));
        storage.MapPost("/object/copy", Handler(c => api.Run(c, Access.Token, _ => api.Copy(c))));

        // Keyed object routes (download, info, HEAD, upload, delete) and unknown routes.
        storage.Map("/{**rest}", Handler(c => api.Dispatch(c)));

        app.MapStorageControl(state);
    }

    /// <summary>Typed as a plain delegate, so the route writes the returned result instead of treating the lambda as a RequestDelegate.</summary>
    private static Delegate Handler(Func<HttpContext, Task<IResult>> handler) => handler;

    /// <summary>The request path as sent, below <c>/storage/v1</c>, without the query; still percent-encoded.</summary>
    internal static string RawPath(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        var query = raw.IndexOf('?');
        if (query >= 0)
        {
            raw = raw[..query];
        }

        return raw.StartsWith(Prefix + "/", StringComparison.Ordinal) ? raw[Prefix.Length..] : raw;
    }

    /// <summary>Object keys as Storage accepts them today: any UTF-8 but controls, S3's "characters to avoid", invisible marks and dot segments; ≤ 1024 bytes.</summary>
    public static bool IsValidKey(string key) =>
        key.Length > 0 && ValidKey().IsMatch(key) && !DotSegment().IsMatch(key) && Encoding.UTF8.GetByteCount(key) <= 1024;

    public static bool IsValidBucketName(string name) => name.Length is > 0 and < 101 && ValidBucketName().IsMatch(name);

    internal static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    [GeneratedRegex("^[^\\u0000-\\u001f\\u007f\\u0080-\\u009f#\\[\\]{}^`\"<>\\\\|%~\\u034F\\u061C\\u200B\\u200E\\u200F\\u2028\\u2029\\u202A-\\u202E\\u2060\\u2066-\\u2069\\uFEFF]+$")]
    private static partial Regex ValidKey();

    [GeneratedRegex("(^|/)\\.{1,2}(/|$)")]
    private static partial Regex DotSegment();

    [GeneratedRegex("^[A-Za-z0-9_!.*'() &$=@;:+,?-]*$")]
    private static partial Regex ValidBucketName();

    internal enum Access
    {
        /// <summary>Needs a valid token (service role here).</summary>
        Token,

        /// <summary>Goes on as <c>anon</c> when the token is missing or invalid (allowInvalidJwt routes).</summary>
        AnonAllowed,

        /// <summary>The <c>/public/</c> routes: no key, no token.</summary>
        Public,
    }

    internal enum Role
    {
        Anon,
        ServiceRole,
    }

    internal sealed partial class StorageApi(StorageFakeState state, FakeOptions options)
    {
        /// <summary>The gateway's key check, then Storage's token check, then the handler.</summary>
        public async Task<IResult> Run(HttpContext context, Access access, Func<Role, Task<IResult>> handler)
        {
            var refusal = Admit(context, access, out var role);
            return refusal ?? await handler(role);
        }

        public Task<IResult> Run(HttpContext context, Access access, Func<Role, IResult> handler) =>
            Run(context, access, role => Task.FromResult(handler(role)));

        private IResult? Admit(HttpContext context, Access access, out Role role)
        {
            role = Role.Anon;
            if (access == Access.Public)
            {
                return null;
            }

            var apiKey = context.Request.Headers["apikey"].ToString();
            if (apiKey.Length == 0)
            {
                return StorageErrors.NoApiKey();
            }

            if (!options.IsServiceKey(apiKey))
            {
                return StorageErrors.InvalidApiKey();
            }

            var authorization = context.Request.Headers.Authorization.ToString();
            if (authorization.Length == 0)
            {
                // The gateway turns an opaque sb_secret_ key into a service-role token of its own.
                if (apiKey.StartsWith("sb_secret_", StringComparison.Ordinal))
                {
                    role = Role.ServiceRole;
                    return null;
                }

                return access == Access.AnonAllowed ? null : StorageErrors.MissingAuthorization();
            }

            var match = Regex.Match(authorization, "^Bearer\\s+(.+)$", RegexOptions.IgnoreCase);
            if (match.Success && options.IsServiceKey(match.Groups[1].Value.Trim()))
            {
                role = Role.ServiceRole;
                return null;
            }

            if (access == Access.AnonAllowed)
            {
                return null;
            }

            var token = match.Success ? match.Groups[1].Value : authorization;
            return StorageErrors.InvalidJwt(token.Split('.').Length == 3 ? "invalid signature" : "jwt malformed");
        }

        /// <summary>Keyed object routes, matched on the raw target; anything else under /storage/v1 is an unknown route.</summary>
        public Task<IResult> Dispatch(HttpContext context)
        {
            var path = RawPath(context);
            var method = context.Request.Method;
            var segments = path.TrimStart('/').Split('/');
            if (segments.Length >= 3 && segments[0] == "object")
            {
                var isRead = HttpMethods.IsGet(method) || HttpMethods.IsHead(method);
                var head = HttpMethods.IsHead(method);
                (string Route, int Skip, Access Access) route = segments[1] switch
                {
                    "info" when segments.Length >= 5 && segments[2] == "authenticated" && HttpMethods.IsGet(method) => ("info", 3, Access.Token),
                    "info" when segments.Length >= 5 && segments[2] == "public" && HttpMethods.IsGet(method) => ("info", 3, Access.Public),
                    "info" when segments.Length >= 4 && HttpMethods.IsGet(method) => ("info", 2, Access.AnonAllowed),
                    "authenticated" when segments.Length >= 4 && isRead => ("read", 2, Access.Token),
                    "public" when segments.Length >= 4 && isRead => ("read", 2, Access.Public),
                    _ when isRead => ("read", 1, Access.AnonAllowed),
                    _ when HttpMethods.IsPost(method) || HttpMethods.IsPut(method) => ("upload", 1, Access.Token),
                    _ when HttpMethods.IsDelete(method) => ("delete", 1, Access.Token),
                    _ => ("", 0, Access.Token),
                };
                if (route.Route.Length > 0 && segments.Length > route.Skip + 1)
                {
                    var bucket = Uri.UnescapeDataString(segments[route.Skip]);
                    var key = string.Join('/', segments.Skip(route.Skip + 1).Select(Uri.UnescapeDataString));
                    return Run(context, route.Access, role => route.Route switch
                    {
                        "info" => Task.FromResult(Info(context, bucket, key, route.Access, role)),
                        "read" => Download(context, bucket, key, route.Access, role, head),
                        "upload" => Upload(context, bucket, key, HttpMethods.IsPut(method)),
                        _ => Task.FromResult(DeleteOne(bucket, key)),
                    });
                }
            }

            return Run(context, Access.Token, _ => StorageErrors.UnknownRoute(method, path));
        }

        private FakeBucket? FindBucket(string id) => state.Buckets.GetValueOrDefault(id);

        private static async Task<JsonElement?> ReadBody(HttpContext context)
        {
            try
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string? String(JsonElement body, string name) =>
            body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

        private static bool Has(JsonElement body, string name) => body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out _);
    }
}
