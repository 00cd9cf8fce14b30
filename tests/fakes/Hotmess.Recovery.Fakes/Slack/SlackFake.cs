using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.Slack;

/// <summary>
/// Slack incoming webhooks at <c>/slack/services/{team}/{channel}/{token}</c> (api-contracts §6.1). Success is HTTP 200
/// with the plain text <c>ok</c>; failures are plain-text codes: 400 <c>invalid_payload</c> (not JSON) and <c>no_text</c>,
/// 403 <c>action_prohibited</c>, 404 <c>no_service</c> (unknown or revoked webhook) and <c>channel_not_found</c>,
/// 410 <c>channel_is_archived</c>, 429 <c>rate_limited</c> with <c>Retry-After</c>. Only registered webhooks answer;
/// reset registers <see cref="DefaultWebhookPath"/>. Steered through <c>/__fake/slack/…</c>.
/// </summary>
public static class SlackFake
{
    public const string Prefix = "/slack";
    public const string DefaultWebhookPath = "/services/T0HOTMESS/B0ALERTS/hotmessfakewebhooktoken";

    private static readonly Dictionary<string, (int Status, string Text)> Failures = new(StringComparer.Ordinal)
    {
        ["revoked"] = (404, "no_service"),
        ["channel_not_found"] = (404, "channel_not_found"),
        ["archived"] = (410, "channel_is_archived"),
        ["prohibited"] = (403, "action_prohibited"),
        ["rollup_error"] = (500, "rollup_error"),
    };

    public static void MapSlack(this WebApplication app, FakeOptions options)
    {
        var state = new SlackFakeState();
        state.Reset();

        app.MapPost(Prefix + "/services/{team}/{channel}/{token}", async (HttpContext c, string team, string channel, string token) =>
        {
            string raw;
            using (var reader = new StreamReader(c.Request.Body, Encoding.UTF8))
            {
                raw = await reader.ReadToEndAsync(c.RequestAborted);
            }

            return FakeJson.Locked(state.Gate, () =>
            {
                var path = $"/services/{team}/{channel}/{token}";
                if (!state.Webhooks.TryGetValue(path, out var webhookState))
                {
                    return Text(404, "no_service");
                }

                if (state.RateLimitRemaining > 0)
                {
                    state.RateLimitRemaining--;
                    c.Response.Headers.RetryAfter = state.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                    return Text(429, "rate_limited");
                }

                if (Failures.TryGetValue(webhookState, out var failure))
                {
                    return Text(failure.Status, failure.Text);
                }

                JsonElement message;
                try
                {
                    using var document = JsonDocument.Parse(raw);
                    message = document.RootElement.Clone();
                }
                catch (JsonException)
                {
                    return Text(400, "invalid_payload");
                }

                var text = FakeJson.String(message, "text");
                var hasBlocks = message.ValueKind == JsonValueKind.Object && message.TryGetProperty("blocks", out var blocks) && blocks.ValueKind == JsonValueKind.Array;
                if (string.IsNullOrWhiteSpace(text) && !hasBlocks)
                {
                    return Text(400, "no_text");
                }

                state.Messages.Add(new { webhook = path, text, blocks = hasBlocks ? message.GetProperty("blocks") : (JsonElement?)null, received = DateTimeOffset.UtcNow });
                return Text(200, "ok");
            });
        });

        var control = app.MapGroup("/__fake/slack");
        control.MapPost("/reset", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Reset();
            return Results.Json(new { webhooks = state.Webhooks.Keys });
        }));
        control.MapPost("/webhooks", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            var path = FakeJson.String(body, "path");
            var webhookState = FakeJson.String(body, "state") ?? "active";
            if (path is null || !path.StartsWith("/services/", StringComparison.Ordinal) || path.Split('/').Length != 5
                || (webhookState != "active" && !Failures.ContainsKey(webhookState)))
            {
                return Results.BadRequest($"Expected {{path: \"/services/T/B/token\", state?: active|{string.Join("|", Failures.Keys)}}}.");
            }

            state.Webhooks[path] = webhookState;
            return Results.Json(new { webhooks = state.Webhooks });
        })));
        control.MapPost("/rate-limit", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.RateLimitRemaining = FakeJson.Int(body, "count") ?? 1;
            state.RetryAfterSeconds = FakeJson.Int(body, "retryAfterSeconds") ?? 1;
            return Results.Json(new { state.RateLimitRemaining, state.RetryAfterSeconds });
        })));
        control.MapGet("/messages", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Messages)));
    }

    private static IResult Text(int status, string text) => Results.Text(text, "text/html", Encoding.UTF8, status);
}

internal sealed class SlackFakeState
{
    public object Gate { get; } = new();

    /// <summary>Webhook path → <c>active</c> or a failure it answers with.</summary>
    public Dictionary<string, string> Webhooks { get; } = new(StringComparer.Ordinal);

    public List<object> Messages { get; } = [];

    public int RateLimitRemaining { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    public void Reset()
    {
        Webhooks.Clear();
        Webhooks[SlackFake.DefaultWebhookPath] = "active";
        Messages.Clear();
        RateLimitRemaining = 0;
        RetryAfterSeconds = 1;
    }
}
