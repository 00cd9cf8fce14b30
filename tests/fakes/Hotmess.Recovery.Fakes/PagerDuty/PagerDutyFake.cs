using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.PagerDuty;

/// <summary>
/// PagerDuty's Events API v2 at <c>/pagerduty/v2/enqueue</c> (api-contracts §8). No auth header: the 32-character
/// <c>routing_key</c> is in the body. Accepted events answer <b>202</b>
/// <c>{"status":"success","message":"Event processed","dedup_key":…}</c> (a trigger without a key gets a new one);
/// a malformed body, an unknown <c>event_action</c> or payload <c>severity</c>, a missing field or a key that is not
/// 32 characters answer 400 <c>{"status":"invalid event","message":"Event object is invalid","errors":[…]}</c>.
/// Alerts are kept per routing key and dedup key: a trigger opens one (or adds to the open one), a resolve closes the
/// open one and is dropped when none is open, a trigger after a resolve opens a new one. Every event received is
/// recorded. Steered through <c>/__fake/pagerduty/…</c>: <c>reset</c>, <c>rate-limit {count, retryAfterSeconds}</c>
/// (429 with no body), <c>outage {count}</c> (500), <c>events</c> and <c>alerts</c>.
/// </summary>
public static class PagerDutyFake
{
    public const string Prefix = "/pagerduty";

    /// <summary>The integration key the tests configure (any 32-character key is accepted, as PagerDuty's own check is its shape).</summary>
    public const string DefaultRoutingKey = "R0HOTMESSFAKEROUTINGKEY000000001";

    private static readonly string[] Actions = ["trigger", "acknowledge", "resolve"];
    private static readonly string[] Severities = ["critical", "error", "warning", "info"];

    public static void MapPagerDuty(this WebApplication app, FakeOptions options)
    {
        var state = new PagerDutyFakeState();
        FaultInjector.For(app).DescribeErrors(Prefix, status => status == 429
            ? new { status = "throttle event", message = "Requests for this service are arriving too quickly." }
            : new { status = "unrecognized object", message = "Internal Server Error", errors = new[] { "internal error" } });

        app.MapPost(Prefix + "/v2/enqueue", async (HttpContext c) =>
        {
            string raw;
            using (var reader = new StreamReader(c.Request.Body, Encoding.UTF8))
            {
                raw = await reader.ReadToEndAsync(c.RequestAborted);
            }

            return FakeJson.Locked(state.Gate, () =>
            {
                if (state.RateLimitRemaining > 0)
                {
                    state.RateLimitRemaining--;
                    c.Response.Headers.RetryAfter = state.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    return Results.StatusCode(429);
                }

                if (state.OutageRemaining > 0)
                {
                    state.OutageRemaining--;
                    return Results.Json(new { status = "unrecognized object", message = "Internal Server Error", errors = new[] { "internal error" } }, statusCode: 500);
                }

                JsonElement body;
                try
                {
                    using var document = JsonDocument.Parse(raw);
                    body = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    return Invalid("JSON parse error");
                }

                if (body.ValueKind != JsonValueKind.Object)
                {
                    return Invalid("Event object is invalid");
                }

                var errors = Validate(body);
                if (errors.Count > 0)
                {
                    return Invalid(errors.ToArray());
                }

                var routingKey = FakeJson.String(body, "routing_key")!;
                var action = FakeJson.String(body, "event_action")!;
                var dedupKey = FakeJson.String(body, "dedup_key") ?? Guid.NewGuid().ToString("N");
                var open = state.Alerts.LastOrDefault(a => a.RoutingKey == routingKey && a.DedupKey == dedupKey && a.Status != "resolved");
                var dropped = false;
                switch (action)
                {
                    case "trigger" when open is null:
                        state.Alerts.Add(new FakePagerDutyAlert(routingKey, dedupKey, FakeJson.String(body.GetProperty("payload"), "summary")!,
                            FakeJson.String(body.GetProperty("payload"), "severity")!, "triggered", DateTimeOffset.UtcNow) { Events = 1 });
                        break;
                    case "trigger":
                        open!.Events++;
                        break;
                    case "acknowledge" or "resolve" when open is null:
                        dropped = true;
                        break;
                    default:
                        open!.Status = action == "resolve" ? "resolved" : "acknowledged";
                        open.Events++;
                        break;
                }

                state.Events.Add(new
                {
                    routing_key = routingKey,
                    event_action = action,
                    dedup_key = dedupKey,
                    payload = body.TryGetProperty("payload", out var payload) ? payload : (JsonElement?)null,
                    dropped,
                    received = DateTimeOffset.UtcNow,
                });
                return Results.Json(new { status = "success", message = "Event processed", dedup_key = dedupKey }, statusCode: 202);
            });
        });

        var control = app.MapGroup("/__fake/pagerduty");
        control.MapPost("/reset", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Reset();
            return Results.Json(new { events = 0 });
        }));
        control.MapPost("/rate-limit", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.RateLimitRemaining = FakeJson.Int(body, "count") ?? 1;
            state.RetryAfterSeconds = FakeJson.Int(body, "retryAfterSeconds") ?? 1;
            return Results.Json(new { state.RateLimitRemaining, state.RetryAfterSeconds });
        })));
        control.MapPost("/outage", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.OutageRemaining = FakeJson.Int(body, "count") ?? 1;
            return Results.Json(new { state.OutageRemaining });
        })));
        control.MapGet("/events", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Events)));
        control.MapGet("/alerts", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Alerts)));
    }

    private static List<string> Validate(JsonElement body)
    {
        var errors = new List<string>();
        var routingKey = FakeJson.String(body, "routing_key");
        if (routingKey is null)
        {
            errors.Add("'routing_key' is missing or blank");
        }
        else if (routingKey.Length != 32)
        {
            errors.Add("'routing_key' must be 32 characters");
        }

        var action = FakeJson.String(body, "event_action");
        if (action is null || !Actions.Contains(action))
        {
            errors.Add("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
        }

        var dedupKey = FakeJson.String(body, "dedup_key");
        if (dedupKey is { Length: > 255 })
        {
            errors.Add("'dedup_key' is too long (max 255 characters)");
        }

        if (action is "acknowledge" or "resolve" && string.IsNullOrEmpty(dedupKey))
        {
            errors.Add("'dedup_key' is missing or blank");
        }

        if (action == "trigger")
        {
            if (!body.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            {
                errors.Add("'payload' is missing or blank");
            }
            else
            {
                var summary = FakeJson.String(payload, "summary");
                if (string.IsNullOrEmpty(summary))
                {
                    errors.Add("'payload.summary' is missing or blank");
                }
                else if (summary.Length > 1024)
                {
                    errors.Add("'payload.summary' is too long (max 1024 characters)");
                }

                if (string.IsNullOrEmpty(FakeJson.String(payload, "source")))
                {
                    errors.Add("'payload.source' is missing or blank");
                }

                if (FakeJson.String(payload, "severity") is not { } severity || !Severities.Contains(severity))
                {
                    errors.Add("'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')");
                }
            }
        }

        return errors;
    }

    private static IResult Invalid(params string[] errors) =>
        Results.Json(new { status = "invalid event", message = "Event object is invalid", errors }, statusCode: 400);
}

internal sealed class PagerDutyFakeState
{
    public object Gate { get; } = new();

    public List<object> Events { get; } = [];

    public List<FakePagerDutyAlert> Alerts { get; } = [];

    public int RateLimitRemaining { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    public int OutageRemaining { get; set; }

    public void Reset()
    {
        Events.Clear();
        Alerts.Clear();
        RateLimitRemaining = 0;
        RetryAfterSeconds = 1;
        OutageRemaining = 0;
    }
}

internal sealed record FakePagerDutyAlert(string RoutingKey, string DedupKey, string Summary, string Severity, string Status, DateTimeOffset Created)
{
    public string Status { get; set; } = Status;

    public int Events { get; set; }
}
