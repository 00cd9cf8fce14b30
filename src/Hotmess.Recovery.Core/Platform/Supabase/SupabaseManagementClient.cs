using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Supabase;

/// <summary>
/// The Supabase Management API v1 (<c>https://api.supabase.com</c> or the configured base) for one project:
/// project status, service health and API keys. Errors are <c>{"message": …}</c>; 120 requests a minute per
/// project, and a 429 says in <c>X-RateLimit-Reset</c> how many seconds are left of the minute. Every call is a GET,
/// retried by the shared pipeline (<see cref="HttpResilience"/>) on 429, 5xx, connection errors and timeouts.
/// </summary>
public sealed partial class SupabaseManagementClient
{
    /// <summary>The services <c>GET /v1/projects/{ref}/health</c> knows.</summary>
    public static readonly IReadOnlyList<string> KnownServices = ["auth", "db", "db_postgres_user", "pooler", "realtime", "rest", "storage", "pg_bouncer"];

    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly Secret _accessToken;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    /// <param name="resilience">Retries and timeouts; the API defaults of <see cref="HttpResilienceOptions"/> when null.</param>
    private readonly HttpResilienceOptions _resilienceOptions;

    public SupabaseManagementClient(HttpClient http, Uri baseUrl, Secret accessToken, string projectRef, IOperationLog? log = null,
        HttpResilienceOptions? resilience = null)
        : this(http, baseUrl, accessToken, RequireRef(projectRef), log, resilience, account: false)
    {
    }

    private SupabaseManagementClient(HttpClient http, Uri baseUrl, Secret accessToken, string projectRef, IOperationLog? log,
        HttpResilienceOptions? resilience, bool account)
    {
        _http = http;
        _baseUrl = PlatformHttp.AsBase(baseUrl, "The Supabase Management API URL (SUPABASE_MANAGEMENT_URL)");
        _accessToken = accessToken;
        ProjectRef = account ? "" : projectRef;
        _log = log ?? NullOperationLog.Instance;
        _resilienceOptions = resilience ?? new HttpResilienceOptions();
        _resilience = new HttpResilience("The Supabase Management API", _resilienceOptions, _log);
    }

    /// <summary>A client for the account's own endpoints (creating a project), bound to no project; <see cref="ProjectRef"/> is empty.</summary>
    public static SupabaseManagementClient ForAccount(HttpClient http, Uri baseUrl, Secret accessToken, IOperationLog? log = null,
        HttpResilienceOptions? resilience = null) =>
        new(http, baseUrl, accessToken, projectRef: "", log, resilience, account: true);

    /// <summary>A client for project <paramref name="projectRef"/> over the same connection, token and retry settings.</summary>
    public SupabaseManagementClient ForProject(string projectRef) =>
        new(_http, _baseUrl, _accessToken, projectRef, _log, _resilienceOptions);

    private static string RequireRef(string? projectRef) =>
        ProjectRefPattern().IsMatch(projectRef ?? "")
            ? projectRef!
            : throw new HotmessException("SupabaseProjectRefInvalid", FailureKind.InvalidArgument,
                $"'{projectRef}' is not a Supabase project ref (20 lowercase letters, as in https://<ref>.supabase.co).", projectRef);

    public string ProjectRef { get; }

    /// <summary><c>GET /v1/projects/{ref}</c>: name, region, status (<c>ACTIVE_HEALTHY</c>, <c>RESTORING</c>, …) and database.</summary>
    public Task<SupabaseProject> GetProjectAsync(CancellationToken cancellationToken) =>
        GetJsonAsync<SupabaseProject>($"v1/projects/{ProjectRef}", cancellationToken);

    /// <summary><c>GET /v1/projects/{ref}/health?services=a&amp;services=b</c>, one entry per service.</summary>
    public Task<IReadOnlyList<SupabaseServiceHealth>> GetHealthAsync(IEnumerable<string> services, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var names = services.Select(s => s.ToLowerInvariant()).Distinct().ToList();
        var unknown = names.Where(n => !KnownServices.Contains(n)).ToList();
        if (names.Count == 0 || unknown.Count > 0)
        {
            throw new HotmessException("SupabaseHealthServiceInvalid", FailureKind.InvalidArgument,
                $"Supabase reports health for {string.Join(", ", KnownServices)}; not for '{string.Join("', '", unknown)}'.", string.Join(",", unknown));
        }

        var query = string.Join("&", names.Select(n => "services=" + n));
        if (timeout is { } t)
        {
            query += "&timeout_ms=" + (int)Math.Clamp(t.TotalMilliseconds, 0, 10_000);
        }

        return GetJsonAsync<IReadOnlyList<SupabaseServiceHealth>>($"v1/projects/{ProjectRef}/health?{query}", cancellationToken);
    }

    /// <summary>
    /// <c>GET /v1/projects/{ref}/api-keys</c>. With <paramref name="reveal"/> the secret values come back too; they are
    /// held as <see cref="Secret"/> and never printed.
    /// </summary>
    public Task<IReadOnlyList<SupabaseApiKey>> GetApiKeysAsync(bool reveal, CancellationToken cancellationToken) =>
        GetJsonAsync<IReadOnlyList<SupabaseApiKey>>($"v1/projects/{ProjectRef}/api-keys?reveal={(reveal ? "true" : "false")}", cancellationToken);

    private async Task<T> GetJsonAsync<T>(string relative, CancellationToken cancellationToken)
    {
        var uri = new Uri(_baseUrl, relative);
        HttpResponseMessage response;
        try
        {
            response = await _resilience.SendAsync(_http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _accessToken.Reveal());
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, RetryRule.Idempotent, $"read {uri.AbsolutePath}", cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("SupabaseManagementUnreachable", FailureKind.ConnectionFailed,
                $"The Supabase Management API at '{_baseUrl}' cannot be reached: {ex.Message}", _baseUrl.ToString(), ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("SupabaseManagementTimeout", FailureKind.Timeout,
                $"The Supabase Management API at '{_baseUrl}' did not answer: {ex.Message}.", _baseUrl.ToString(), ex);
        }

        using (response)
        {
            _log.Verbose($"Supabase Management GET {uri.AbsolutePath} -> {(int)response.StatusCode}");
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return await response.Content.ReadFromJsonAsync<T>(WireJson, cancellationToken).ConfigureAwait(false)
                        ?? throw new JsonException("The body is empty.");
                }
                catch (JsonException ex)
                {
                    throw new HotmessException("SupabaseManagementResponseInvalid", FailureKind.RemoteServiceFailed,
                        $"The Supabase Management API answered GET {uri.AbsolutePath} with a body it does not document: {ex.Message}",
                        ProjectRef, ex);
                }
            }

            var message = await ReadMessageAsync(response, cancellationToken).ConfigureAwait(false);
            throw ToException(response.StatusCode, message, HttpResilience.RetryAfter(response, _resilience.Time));
        }
    }

    private HotmessException ToException(HttpStatusCode status, string message, TimeSpan? reset)
    {
        var code = (int)status;
        var what = $"The Supabase Management API refused the request for project {ProjectRef} ({code}): {message}";
        return code switch
        {
            401 => new HotmessException("SupabaseManagementTokenInvalid", FailureKind.AuthenticationFailed,
                $"{what}. Check SUPABASE_ACCESS_TOKEN ({_accessToken.Masked}).", _accessToken.Masked),
            403 => new HotmessException("SupabaseManagementForbidden", FailureKind.PermissionDenied,
                $"{what}. The access token may not act on this project.", ProjectRef),
            404 => new HotmessException("SupabaseProjectNotFound", FailureKind.NotFound, what, ProjectRef),
            429 => new HotmessException("SupabaseManagementRateLimited", FailureKind.RateLimited,
                what + (reset is { } wait ? $" The limit resets in {wait.TotalSeconds:0} s." : ""), ProjectRef),
            _ => new HotmessException("SupabaseManagementFailed", FailureKind.RemoteServiceFailed, what, ProjectRef),
        };
    }

    private async Task<string> ReadMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
            {
                return Redact(message.GetString()!);
            }
        }
        catch (JsonException)
        {
            // A gateway's HTML page rather than the API's JSON: quoted briefly below.
        }

        text = text.Trim();
        return Redact(text.Length == 0 ? response.ReasonPhrase ?? "no message" : text.Length > 120 ? text[..120] + "…" : text);
    }

    private string Redact(string text) => text.Replace(_accessToken.Reveal(), _accessToken.Masked, StringComparison.Ordinal);

    internal static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new SecretJsonConverter() },
    };

    [GeneratedRegex("^[a-z]{20}$")]
    private static partial Regex ProjectRefPattern();

    /// <summary>Reads a revealed key straight into a <see cref="Secret"/>, so no plain string property ever holds it.</summary>
    private sealed class SecretJsonConverter : JsonConverter<Secret>
    {
        public override Secret? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String ? Secret.FromNullable(reader.GetString()) : null;

        public override void Write(Utf8JsonWriter writer, Secret value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.ToString());
    }
}

public sealed record SupabaseProject(string Ref, string Name, string? Region, string Status, string? CreatedAt, SupabaseDatabase? Database)
{
    public bool IsHealthy => Status == "ACTIVE_HEALTHY";
}

public sealed record SupabaseDatabase(string? Host, string? Version, string? PostgresEngine, string? ReleaseChannel);

/// <summary>One service's health; <see cref="Status"/> is <c>COMING_UP</c>, <c>ACTIVE_HEALTHY</c> or <c>UNHEALTHY</c>.</summary>
public sealed record SupabaseServiceHealth(string Name, bool Healthy, string Status, string? Error);

/// <summary>
/// A project API key. Legacy keys are named <c>anon</c> and <c>service_role</c>; new ones have type
/// <c>publishable</c> or <c>secret</c>, the latter acting as service role through <c>secret_jwt_template.role</c>.
/// </summary>
public sealed record SupabaseApiKey(string Name, string? Id, string? Type, string? Prefix, Secret? ApiKey, JsonElement? SecretJwtTemplate)
{
    /// <summary>The role the key acts as: <c>anon</c> or <c>service_role</c>, or null when the listing does not say.</summary>
    public string? Role => Type switch
    {
        "publishable" => "anon",
        "secret" => SecretJwtTemplate is { ValueKind: JsonValueKind.Object } template
                    && template.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String
            ? role.GetString()
            : "service_role",
        _ => Name is "anon" or "service_role" ? Name : null,
    };
}
