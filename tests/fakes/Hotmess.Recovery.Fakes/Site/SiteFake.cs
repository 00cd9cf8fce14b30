namespace Hotmess.Recovery.Fakes.Site;

/// <summary>
/// The HOTMESS site's health endpoint at <c>/site/api/health</c> (the plan's uptime check): 200
/// <c>{"status":"ok"}</c> while healthy. <c>POST /__fake/site/health</c> <c>{status?, delayMs?, failures?}</c> makes it
/// answer <c>status</c> (e.g. 503 <c>{"status":"degraded"}</c>) and/or wait <c>delayMs</c> before answering; with
/// <c>failures</c> only the next N requests fail, then it recovers by itself. <c>DELETE /__fake/site/health</c>
/// recovers at once; <c>GET /__fake/site/health</c> shows the settings and how many requests came.
/// The pages of the critical user flows (<c>/site/</c>, <c>/site/login</c>, <c>/site/marketplace</c>) answer 200 HTML;
/// any other path 404. <c>POST /__fake/site/pages</c> <c>{path, status?, body?, delayMs?}</c> makes one path answer
/// that status and body after that delay (a 500, the wrong page, a timeout); <c>DELETE /__fake/site/pages</c> restores
/// them; <c>GET /__fake/site/pages</c> shows per path the requests, the last method and the last request's headers.
/// <para>Stripe's webhook at <c>/site/api/stripe/webhook</c>, as the app verifies it: 400 without a <c>Stripe-Signature</c>
/// whose <c>v1</c> is the HMAC-SHA256 of <c>"t.payload"</c> under the site's signing secret, or whose <c>t</c> is more than
/// five minutes away; else 200 and the event recorded. <c>POST /__fake/site/stripe-webhook</c> <c>{secret}</c> sets the secret
/// the site was deployed with (and forgets what it received); <c>GET</c> lists the events received (id, type) and how many deliveries were refused.</para>
/// </summary>
public static class SiteFake
{
    public const string Prefix = "/site";

    public static void MapSite(this WebApplication app, FakeOptions options)
    {
        var state = new SiteFakeState();
        app.MapGet(Prefix + "/api/health", async (HttpContext c) =>
        {
            int status, delay;
            lock (state.Gate)
            {
                state.Requests++;
                var failing = state.Status != 200 && (state.FailuresLeft is null || state.FailuresLeft > 0);
                if (failing && state.FailuresLeft is { } left)
                {
                    state.FailuresLeft = left - 1;
                }

                status = failing ? state.Status : 200;
                delay = state.DelayMs;
            }

            if (delay > 0)
            {
                await Task.Delay(delay, c.RequestAborted);
            }

            return Results.Json(new { status = status == 200 ? "ok" : "degraded" }, statusCode: status);
        });

        var pages = new SitePages();
        app.MapMethods(Prefix + "/{**page}", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], async (HttpContext c, string? page) =>
        {
            var path = "/" + (page ?? string.Empty).TrimEnd('/');
            SitePage answer;
            lock (pages.Gate)
            {
                pages.Seen[path] = new SeenPage(
                    (pages.Seen.TryGetValue(path, out var seen) ? seen.Requests : 0) + 1,
                    c.Request.Method,
                    c.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString()));
                answer = pages.Steered.TryGetValue(path, out var steered) ? steered
                    : SitePages.Served.TryGetValue(path, out var served) ? served
                    : new SitePage(404, "<html><title>HOTMESS</title><body>Page not found</body></html>", 0);
            }

            if (answer.DelayMs > 0)
            {
                await Task.Delay(answer.DelayMs, c.RequestAborted);
            }

            return Results.Content(answer.Body, "text/html; charset=utf-8", statusCode: answer.Status);
        });

        MapStripeWebhook(app, state);

        var control = app.MapGroup("/__fake/site");
        control.MapGet("/pages", () => FakeJson.Locked(pages.Gate, () => Results.Json(new { steered = pages.Steered, seen = pages.Seen })));
        control.MapPost("/pages", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(pages.Gate, () =>
        {
            var path = FakeJson.String(body, "path");
            var status = FakeJson.Int(body, "status") ?? 200;
            var delay = FakeJson.Int(body, "delayMs") ?? 0;
            if (path is null || !path.StartsWith('/') || status is < 100 or > 599 || delay < 0)
            {
                return Results.BadRequest("Expected {path: '/…', status?: 100..599, body?, delayMs?: >= 0}.");
            }

            var key = path.Length > 1 ? path.TrimEnd('/') : path;
            var page = new SitePage(status, FakeJson.String(body, "body") ?? (SitePages.Served.TryGetValue(key, out var served) ? served.Body : string.Empty), delay);
            pages.Steered[key] = page;
            return Results.Json(page);
        })));
        control.MapDelete("/pages", () => FakeJson.Locked(pages.Gate, () =>
        {
            pages.Steered.Clear();
            pages.Seen.Clear();
            return Results.Json(new { steered = pages.Steered });
        }));
        control.MapGet("/health", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Describe())));
        control.MapPost("/health", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            var status = FakeJson.Int(body, "status") ?? 200;
            var delay = FakeJson.Int(body, "delayMs") ?? 0;
            if (status is < 200 or > 599 || delay < 0)
            {
                return Results.BadRequest("Expected {status?: 200..599, delayMs?: >= 0, failures?}.");
            }

            state.Status = status;
            state.DelayMs = delay;
            state.FailuresLeft = FakeJson.Int(body, "failures");
            return Results.Json(state.Describe());
        })));
        control.MapDelete("/health", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Status = 200;
            state.DelayMs = 0;
            state.FailuresLeft = null;
            return Results.Json(state.Describe());
        }));
    }

    private static void MapStripeWebhook(WebApplication app, SiteFakeState state)
    {
        app.MapPost(Prefix + "/api/stripe/webhook", async Task<IResult> (HttpContext c) =>
        {
            string payload;
            using (var reader = new StreamReader(c.Request.Body, System.Text.Encoding.UTF8))
            {
                payload = await reader.ReadToEndAsync(c.RequestAborted);
            }

            var header = c.Request.Headers["Stripe-Signature"].ToString();
            var parts = header.Split(',').Select(p => p.Split('=', 2)).Where(p => p.Length == 2).ToLookup(p => p[0], p => p[1]);
            lock (state.Gate)
            {
                var timestamp = parts["t"].FirstOrDefault();
                var fresh = long.TryParse(timestamp, out var t) && Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - t) <= 300;
                var valid = state.WebhookSecret is { } secret && fresh
                    && parts["v1"].Any(v => v == Stripe.StripeFake.Sign(secret, timestamp!, payload));
                if (!valid)
                {
                    state.WebhookRefused++;
                    return Results.Json(new { error = "No signatures found matching the expected signature for payload" }, statusCode: 400);
                }

                using var document = System.Text.Json.JsonDocument.Parse(payload);
                state.WebhookEvents.Add(new { id = FakeJson.String(document.RootElement, "id"), type = FakeJson.String(document.RootElement, "type") });
                return Results.Json(new { received = true });
            }
        });

        var control = app.MapGroup("/__fake/site");
        control.MapPost("/stripe-webhook", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.WebhookSecret = FakeJson.String(body, "secret");
            state.WebhookEvents.Clear();
            state.WebhookRefused = 0;
            return Results.Json(new { configured = state.WebhookSecret is not null });
        })));
        control.MapGet("/stripe-webhook", () => FakeJson.Locked(state.Gate, () =>
            Results.Json(new { configured = state.WebhookSecret is not null, events = state.WebhookEvents, refused = state.WebhookRefused })));
    }

    private sealed class SiteFakeState
    {
        /// <summary>The STRIPE_WEBHOOK_SECRET the site runs with; null: every delivery is refused.</summary>
        public string? WebhookSecret { get; set; }

        public List<object> WebhookEvents { get; } = [];

        public long WebhookRefused { get; set; }

        public object Gate { get; } = new();

        public int Status { get; set; } = 200;

        public int DelayMs { get; set; }

        /// <summary>Null: fails until told otherwise; N: the next N requests fail, then it recovers.</summary>
        public int? FailuresLeft { get; set; }

        public long Requests { get; set; }

        public object Describe() => new { status = Status, delayMs = DelayMs, failuresLeft = FailuresLeft, requests = Requests };
    }

    private sealed record SitePage(int Status, string Body, int DelayMs);

    private sealed record SeenPage(long Requests, string Method, Dictionary<string, string> Headers);

    private sealed class SitePages
    {
        public static readonly IReadOnlyDictionary<string, SitePage> Served = new Dictionary<string, SitePage>
        {
            ["/"] = new(200, "<html><head><title>HOTMESS London</title></head><body><h1>HOTMESS</h1></body></html>", 0),
            ["/login"] = new(200, "<html><head><title>Log in · HOTMESS</title></head><body><form action=\"/auth\">Log in</form></body></html>", 0),
            ["/marketplace"] = new(200, "<html><head><title>Marketplace · HOTMESS</title></head><body><ul class=\"products\"><li>Tee</li></ul></body></html>", 0),
        };

        public object Gate { get; } = new();

        public Dictionary<string, SitePage> Steered { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, SeenPage> Seen { get; } = new(StringComparer.Ordinal);
    }
}
