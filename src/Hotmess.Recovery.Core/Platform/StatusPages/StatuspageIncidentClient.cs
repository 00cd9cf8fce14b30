using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.StatusPages;

/// <summary>
/// Incidents on the company's own Atlassian Statuspage page through its manage API (<c>https://api.statuspage.io/v1</c>,
/// <c>Authorization: OAuth &lt;key&gt;</c>): <c>POST /pages/{page}/incidents</c> opens one, <c>PATCH …/incidents/{id}</c>
/// posts an update or resolves it. A create is not idempotent, so it is retried only when Statuspage cannot have acted
/// (429, a connection never opened); an update sets a state, so it is retried like a read. 60 requests a minute per
/// key; a 429 carries <c>Retry-After</c>.
/// </summary>
public sealed class StatuspageIncidentClient
{
    public static readonly Uri DefaultApiUrl = new("https://api.statuspage.io/v1/");

    public static readonly IReadOnlyList<string> Statuses = ["investigating", "identified", "monitoring", "resolved"];

    private static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly Secret _apiKey;
    private readonly string _pageId;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    public StatuspageIncidentClient(HttpClient http, Uri apiUrl, Secret apiKey, string pageId, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(pageId);
        _http = http;
        _baseUrl = PlatformHttp.AsBase(apiUrl, "The Statuspage API URL (STATUSPAGE_API_URL)");
        _apiKey = apiKey;
        _pageId = pageId;
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("Statuspage", resilience ?? new HttpResilienceOptions(), _log);
    }

    public string Target => $"{_baseUrl}pages/{_pageId}";

    /// <summary>Opens an incident; <paramref name="impact"/> is none, minor, major or critical.</summary>
    public Task<StatuspageIncident> CreateIncidentAsync(string name, string status, string body, string? impact, CancellationToken cancellationToken)
    {
        CheckStatus(status);
        return SendAsync(HttpMethod.Post, $"pages/{Uri.EscapeDataString(_pageId)}/incidents",
            new { incident = new { name, status, body, impact_override = impact } }, RetryRule.OnlyWhenNotAccepted, "open an incident", cancellationToken);
    }

    /// <summary>Posts an update with a new status; <c>resolved</c> closes the incident.</summary>
    public Task<StatuspageIncident> UpdateIncidentAsync(string incidentId, string status, string body, CancellationToken cancellationToken)
    {
        CheckStatus(status);
        return SendAsync(HttpMethod.Patch, $"pages/{Uri.EscapeDataString(_pageId)}/incidents/{Uri.EscapeDataString(incidentId)}",
            new { incident = new { status, body } }, RetryRule.Idempotent, "update an incident", cancellationToken);
    }

    private static void CheckStatus(string status)
    {
        if (!Statuses.Contains(status))
        {
            throw new HotmessException("StatuspageStatusInvalid", FailureKind.InvalidArgument,
                $"'{status}' is not a Statuspage incident status: use {string.Join(", ", Statuses)}.", status);
        }
    }

    private async Task<StatuspageIncident> SendAsync(HttpMethod method, string path, object body, RetryRule rule, string operation, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _resilience.SendAsync(_http, () =>
            {
                var request = new HttpRequestMessage(method, new Uri(_baseUrl, path)) { Content = JsonContent.Create(body, options: WireJson) };
                request.Headers.Authorization = new AuthenticationHeaderValue("OAuth", _apiKey.Reveal());
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, rule, operation, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("StatuspageUnreachable", FailureKind.ConnectionFailed, $"Statuspage at '{_baseUrl}' cannot be reached: {ex.Message}", Target, ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("StatuspageTimeout", FailureKind.Timeout, $"Statuspage at '{_baseUrl}' did not answer: {ex.Message}.", Target, ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            _log.Verbose($"Statuspage {method} {path} -> {(int)response.StatusCode}");
            if (response.IsSuccessStatusCode)
            {
                try
                {
                    return JsonSerializer.Deserialize<StatuspageIncident>(text, WireJson) is { Id: not null } incident
                        ? incident
                        : throw new JsonException("no incident id");
                }
                catch (JsonException ex)
                {
                    throw new HotmessException("StatuspageResponseInvalid", FailureKind.RemoteServiceFailed,
                        $"Statuspage answered {(int)response.StatusCode} with a body that is not an incident: {ex.Message}", Target, ex);
                }
            }

            var detail = (text.Length > 160 ? text[..160] + "…" : text).Replace(_apiKey.Reveal(), _apiKey.Masked, StringComparison.Ordinal);
            var what = $"Statuspage refused to {operation} ({(int)response.StatusCode} {detail})";
            throw response.StatusCode switch
            {
                HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new HotmessException("StatuspageKeyInvalid", FailureKind.AuthenticationFailed,
                    $"{what}: Statuspage does not accept the key {_apiKey.Masked} for the page {_pageId}.", _apiKey.Masked),
                HttpStatusCode.NotFound => new HotmessException("StatuspageNotFound", FailureKind.NotFound, $"{what}: no such page or incident.", Target),
                HttpStatusCode.TooManyRequests or (HttpStatusCode)420 => new HotmessException("StatuspageRateLimited", FailureKind.RateLimited, $"{what}.", Target),
                HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => new HotmessException("StatuspageRequestInvalid", FailureKind.InvalidArgument, $"{what}.", Target),
                _ => new HotmessException("StatuspageServiceFailed", FailureKind.RemoteServiceFailed, $"{what}.", Target),
            };
        }
    }
}

/// <summary>An incident as Statuspage returns it (the fields HotmessRecovery reads).</summary>
public sealed record StatuspageIncident(string? Id, string? Name, string? Status, string? Impact, string? Shortlink, DateTimeOffset? CreatedAt, DateTimeOffset? ResolvedAt);
