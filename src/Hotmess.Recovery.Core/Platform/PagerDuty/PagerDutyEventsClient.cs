using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.PagerDuty;

/// <summary>
/// PagerDuty's Events API v2 (<c>POST {base}/v2/enqueue</c>, base <c>https://events.pagerduty.com</c>): triggers an
/// alert and resolves it with the same <c>dedup_key</c>. The routing key travels in the body, never in a message or
/// an error. Accepted events answer 202. Sending an event again with its dedup key changes nothing PagerDuty has not
/// already done, so every event is retried on 429, 5xx and network errors (never on 400).
/// </summary>
public sealed class PagerDutyEventsClient
{
    public static readonly Uri DefaultEventsUrl = new("https://events.pagerduty.com/");

    private static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly Uri _enqueue;
    private readonly Secret _routingKey;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    /// <param name="resilience">Retries and timeouts; the API defaults of <see cref="HttpResilienceOptions"/> when null.</param>
    public PagerDutyEventsClient(HttpClient http, Uri eventsUrl, Secret routingKey, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _http = http;
        _enqueue = new Uri(PlatformHttp.AsBase(eventsUrl, "The PagerDuty Events API URL (PAGERDUTY_EVENTS_URL)"), "v2/enqueue");
        _routingKey = routingKey;
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("PagerDuty", resilience ?? new HttpResilienceOptions(), _log);
    }

    /// <summary>Where events go, with the routing key masked: <c>https://events.pagerduty.com/v2/enqueue (****abcd)</c>.</summary>
    public string Target => $"{_enqueue} ({_routingKey.Masked})";

    /// <summary>Opens (or, with an open alert's key, adds to) an alert; returns the dedup key PagerDuty files it under.</summary>
    public Task<string> TriggerAsync(string dedupKey, PagerDutyPayload payload, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupKey);
        return SendAsync(new PagerDutyEvent(_routingKey.Reveal(), "trigger", dedupKey, payload with { Summary = Truncate(payload.Summary, 1024) }), cancellationToken);
    }

    /// <summary>Resolves the open alert with this dedup key; PagerDuty drops it when none is open.</summary>
    public Task<string> ResolveAsync(string dedupKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dedupKey);
        return SendAsync(new PagerDutyEvent(_routingKey.Reveal(), "resolve", dedupKey, null), cancellationToken);
    }

    private async Task<string> SendAsync(PagerDutyEvent pagerDutyEvent, CancellationToken cancellationToken)
    {
        if (pagerDutyEvent.DedupKey is { Length: > 255 })
        {
            throw new HotmessException("PagerDutyEventInvalid", FailureKind.InvalidArgument, "A PagerDuty dedup key is at most 255 characters long.", pagerDutyEvent.DedupKey);
        }

        HttpResponseMessage response;
        try
        {
            response = await _resilience.SendAsync(_http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, _enqueue) { Content = JsonContent.Create(pagerDutyEvent, options: WireJson) };
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, RetryRule.Idempotent, $"{pagerDutyEvent.EventAction} an alert", cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("PagerDutyUnreachable", FailureKind.ConnectionFailed,
                $"PagerDuty at '{_enqueue}' cannot be reached: {Redact(ex.Message)}", _enqueue.ToString(), ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("PagerDutyTimeout", FailureKind.Timeout, $"PagerDuty at '{_enqueue}' did not answer: {ex.Message}.", _enqueue.ToString(), ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            _log.Verbose($"PagerDuty POST {_enqueue.AbsolutePath} {pagerDutyEvent.EventAction} {pagerDutyEvent.DedupKey} -> {(int)response.StatusCode}");
            PagerDutyResponse? body = null;
            try
            {
                body = text.Length == 0 ? null : JsonSerializer.Deserialize<PagerDutyResponse>(text, WireJson);
            }
            catch (JsonException)
            {
                // Not PagerDuty's own body (a proxy's page): described by the status below.
            }

            if (response.StatusCode == HttpStatusCode.Accepted && body?.Status == "success")
            {
                return body.DedupKey ?? pagerDutyEvent.DedupKey!;
            }

            var detail = body is null ? Redact(text.Length > 120 ? text[..120] + "…" : text)
                : Redact($"{body.Message}{(body.Errors is { Count: > 0 } errors ? ": " + string.Join("; ", errors) : "")}");
            var what = $"PagerDuty refused the {pagerDutyEvent.EventAction} event ({(int)response.StatusCode}{(detail.Length > 0 ? " " + detail : "")})";
            var target = _enqueue.ToString();
            throw (int)response.StatusCode switch
            {
                202 => new HotmessException("PagerDutyResponseInvalid", FailureKind.RemoteServiceFailed,
                    $"PagerDuty answered 202 without a success status; is '{_enqueue}' the Events API v2?", target),
                400 => new HotmessException("PagerDutyEventInvalid", FailureKind.InvalidArgument,
                    $"{what}. A routing key must be the 32-character integration key of an Events API v2 integration ({_routingKey.Masked}).", target),
                401 or 403 => new HotmessException("PagerDutyKeyInvalid", FailureKind.AuthenticationFailed, $"{what}.", _routingKey.Masked),
                404 => new HotmessException("PagerDutyNotFound", FailureKind.NotFound, $"{what}: is '{_enqueue}' the Events API v2?", target),
                429 => new HotmessException("PagerDutyRateLimited", FailureKind.RateLimited, $"{what}: too many events for this integration.", target),
                _ => new HotmessException("PagerDutyServiceFailed", FailureKind.RemoteServiceFailed, $"{what}.", target),
            };
        }
    }

    private string Redact(string text) => text.Replace(_routingKey.Reveal(), _routingKey.Masked, StringComparison.Ordinal);

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private sealed record PagerDutyEvent(string RoutingKey, string EventAction, string? DedupKey, PagerDutyPayload? Payload);

    private sealed record PagerDutyResponse(string? Status, string? Message, string? DedupKey, List<string>? Errors);
}

/// <summary>The <c>payload</c> of a trigger event; <see cref="Severity"/> is critical, error, warning or info.</summary>
public sealed record PagerDutyPayload(string Summary, string Source, string Severity)
{
    public DateTimeOffset? Timestamp { get; init; }

    public string? Component { get; init; }

    public string? Group { get; init; }

    public string? Class { get; init; }

    public IReadOnlyDictionary<string, string?>? CustomDetails { get; init; }
}
