using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Fakes.Stripe;

/// <summary>
/// Stripe's API at <c>/stripe</c> (api-contracts §4), the endpoints HotmessRecovery uses: <c>GET /v1/balance</c>,
/// <c>GET /v1/account</c>, and webhook endpoints (list with <c>limit</c>/<c>starting_after</c>/<c>ending_before</c>
/// and <c>has_more</c>, get, create, update, delete) with form-encoded bodies (<c>enabled_events[0]=…</c>).
/// Bearer keys are checked (401 unknown, 403 restricted); errors are Stripe's <c>{"error":{type, code, message, param}}</c>;
/// a 429 carries <c>Stripe-Should-Retry</c> only when told to; POSTs replay by <c>Idempotency-Key</c>. Success is
/// always 200, as Stripe.net expects. Steered through <c>/__fake/stripe/…</c> (see <see cref="MapStripeControl"/>);
/// the key it accepts is <c>--stripe-key</c> (default <see cref="StripeFakeState.DefaultKey"/>).
/// </summary>
public static partial class StripeFake
{
    public const string Prefix = "/stripe";
    public const string DefaultKey = StripeFakeState.DefaultKey;

    public static void MapStripe(this WebApplication app, FakeOptions options)
    {
        var state = new StripeFakeState();
        state.Reset(app.Configuration["stripe-key"] ?? StripeFakeState.DefaultKey);
        FaultInjector.For(app).DescribeErrors(Prefix, status => new
        {
            error = status == 429
                ? new { type = "invalid_request_error", code = "rate_limit", message = "Too many requests hit the API too quickly." }
                : new { type = "api_error", code = (string)null!, message = "An unknown error occurred." },
        });

        var api = app.MapGroup(Prefix);
        api.MapGet("/v1/balance", (HttpContext c) => Handle(state, c, restrictedDenied: true, (_, _) => Results.Json(new
        {
            @object = "balance",
            available = new[] { new { amount = 125_000, currency = "gbp", source_types = new { card = 125_000 } } },
            pending = new[] { new { amount = 0, currency = "gbp", source_types = new { card = 0 } } },
            livemode = Livemode(c),
        })));
        api.MapGet("/v1/account", (HttpContext c) => Handle(state, c, restrictedDenied: false, (_, _) => Results.Json(new
        {
            id = "acct_hotmessfake",
            @object = "account",
            business_profile = new { name = "HOTMESS", url = "https://hotmess.london" },
            country = "GB",
            default_currency = "gbp",
            charges_enabled = true,
            payouts_enabled = true,
        })));
        api.MapGet("/v1/webhook_endpoints", (HttpContext c) => Handle(state, c, restrictedDenied: true, (_, _) => ListEndpoints(state, c.Request)));
        api.MapGet("/v1/webhook_endpoints/{id}", (HttpContext c, string id) => Handle(state, c, restrictedDenied: true, (_, _) =>
            Find(state, id) is { } e ? Results.Json(e.Shape()) : Missing(id, null)));
        // Typed: an untyped lambda of HttpContext alone binds as a RequestDelegate and its result is dropped (an empty 200).
        api.MapPost("/v1/webhook_endpoints", async Task<IResult> (HttpContext c) => await HandlePost(state, c, form => CreateEndpoint(state, form, Livemode(c))));
        api.MapPost("/v1/webhook_endpoints/{id}", async (HttpContext c, string id) => await HandlePost(state, c, form => UpdateEndpoint(state, id, form)));
        api.MapDelete("/v1/webhook_endpoints/{id}", (HttpContext c, string id) => Handle(state, c, restrictedDenied: true, (_, _) =>
        {
            if (Find(state, id) is not { } e)
            {
                return Missing(id, null);
            }

            state.Endpoints.Remove(e);
            return Results.Json(new { id, @object = "webhook_endpoint", deleted = true });
        }));
        MapActivity(app, api, state);
        api.Map("/{**rest}", (HttpContext c) => Handle(state, c, restrictedDenied: false, (_, _) =>
            Error(404, "invalid_request_error", $"Unrecognized request URL ({c.Request.Method}: {c.Request.Path.Value?[Prefix.Length..]}).")));

        app.MapStripeControl(state);
    }

    private static bool Livemode(HttpContext context) => BearerKey(context)?.Contains("_live_", StringComparison.Ordinal) == true;

    private static string? BearerKey(HttpContext context)
    {
        var match = BearerPattern().Match(context.Request.Headers.Authorization.ToString());
        return match.Success ? match.Groups[1].Value.Trim() : null;
    }

    /// <summary>Records the call, then Stripe's gatekeeping: rate limit, key, permission.</summary>
    private static IResult Handle(StripeFakeState state, HttpContext context, bool restrictedDenied, Func<HttpContext, string, IResult> handler)
    {
        lock (state.Gate)
        {
            context.Response.Headers["Request-Id"] = StripeFakeState.NewId("req_");
            state.Requests.Add(new
            {
                method = context.Request.Method,
                path = context.Request.Path.Value,
                query = context.Request.QueryString.Value,
                idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString(),
                stripeVersion = context.Request.Headers["Stripe-Version"].ToString(),
            });
            if (state.RateLimitRemaining > 0)
            {
                state.RateLimitRemaining--;
                if (state.RateLimitShouldRetry is { } retry)
                {
                    context.Response.Headers["Stripe-Should-Retry"] = retry ? "true" : "false";
                }

                return Error(429, "invalid_request_error", "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.", "rate_limit");
            }

            var key = BearerKey(context);
            if (key is null)
            {
                return Error(401, "invalid_request_error",
                    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').");
            }

            if (!state.Keys.TryGetValue(key, out var restricted))
            {
                return Error(401, "invalid_request_error", $"Invalid API Key provided: {Mask(key)}", "api_key_invalid");
            }

            if (restricted && restrictedDenied)
            {
                return Error(403, "invalid_request_error",
                    $"The provided key '{Mask(key)}' does not have the required permissions for this endpoint on account 'acct_hotmessfake'.", "secret_key_required");
            }

            return handler(context, key);
        }
    }

    /// <summary>A POST: the same gatekeeping, then the form body, replayed when its Idempotency-Key was seen before.</summary>
    private static async Task<IResult> HandlePost(StripeFakeState state, HttpContext context, Func<Dictionary<string, string>, (int Status, object Body)> handler)
    {
        string raw;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8))
        {
            raw = await reader.ReadToEndAsync(context.RequestAborted);
        }

        return Handle(state, context, restrictedDenied: true, (c, _) =>
        {
            var idempotencyKey = c.Request.Headers["Idempotency-Key"].ToString();
            if (idempotencyKey.Length > 0)
            {
                c.Response.Headers["Idempotency-Key"] = idempotencyKey;
                if (state.Idempotent.TryGetValue(idempotencyKey, out var seen))
                {
                    if (seen.Body != raw)
                    {
                        return Error(400, "idempotency_error",
                            $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{idempotencyKey}' if you meant to execute a different request.");
                    }

                    c.Response.Headers["Idempotent-Replayed"] = "true";
                    return Results.Text(seen.Response, "application/json", Encoding.UTF8, seen.Status);
                }
            }

            var (status, body) = handler(ParseForm(raw));
            var json = JsonSerializer.Serialize(body);
            if (idempotencyKey.Length > 0)
            {
                state.Idempotent[idempotencyKey] = (raw, status, json);
            }

            return Results.Text(json, "application/json", Encoding.UTF8, status);
        });
    }

    private static IResult ListEndpoints(StripeFakeState state, HttpRequest request)
    {
        var limitText = request.Query["limit"].ToString();
        var limit = 10;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return Error(400, "invalid_request_error", $"Invalid limit: must be an integer between 1 and 100 (got '{limitText}').", "parameter_invalid_integer", "limit");
        }

        var ordered = state.Endpoints.OrderByDescending(e => e.Created).ThenByDescending(e => state.Endpoints.IndexOf(e)).ToList();
        var startingAfter = request.Query["starting_after"].ToString();
        var endingBefore = request.Query["ending_before"].ToString();
        List<FakeWebhookEndpoint> page;
        bool hasMore;
        if (startingAfter.Length > 0)
        {
            var index = ordered.FindIndex(e => e.Id == startingAfter);
            if (index < 0)
            {
                return Missing(startingAfter, "starting_after");
            }

            page = ordered.Skip(index + 1).Take(limit).ToList();
            hasMore = ordered.Count > index + 1 + limit;
        }
        else if (endingBefore.Length > 0)
        {
            var index = ordered.FindIndex(e => e.Id == endingBefore);
            if (index < 0)
            {
                return Missing(endingBefore, "ending_before");
            }

            var from = Math.Max(0, index - limit);
            page = ordered.Skip(from).Take(index - from).ToList();
            hasMore = from > 0;
        }
        else
        {
            page = ordered.Take(limit).ToList();
            hasMore = ordered.Count > limit;
        }

        return Results.Json(new { @object = "list", data = page.Select(e => e.Shape()), has_more = hasMore, url = "/v1/webhook_endpoints" });
    }

    private static (int, object) CreateEndpoint(StripeFakeState state, Dictionary<string, string> form, bool livemode)
    {
        if (!form.TryGetValue("url", out var url) || url.Length == 0)
        {
            return ErrorBody(400, "invalid_request_error", "Missing required param: url.", "parameter_missing", "url");
        }

        var events = ListParameter(form, "enabled_events");
        if (events is null || events.Count == 0)
        {
            return ErrorBody(400, "invalid_request_error", "Missing required param: enabled_events.", "parameter_missing", "enabled_events");
        }

        if (Invalid(url, events) is { } problem)
        {
            return problem;
        }

        var endpoint = new FakeWebhookEndpoint
        {
            Id = StripeFakeState.NewId("we_"),
            Url = url,
            EnabledEvents = events,
            Description = form.GetValueOrDefault("description"),
            Created = state.NextCreated++,
            Livemode = livemode,
        };
        state.Endpoints.Add(endpoint);
        return (200, endpoint.Shape(withSecret: true));
    }

    private static (int, object) UpdateEndpoint(StripeFakeState state, string id, Dictionary<string, string> form)
    {
        if (Find(state, id) is not { } endpoint)
        {
            return ErrorBody(404, "invalid_request_error", $"No such webhook endpoint: '{id}'", "resource_missing", "id");
        }

        var url = form.GetValueOrDefault("url");
        var events = ListParameter(form, "enabled_events");
        if (Invalid(url, events) is { } problem)
        {
            return problem;
        }

        if (events is { Count: 0 })
        {
            return ErrorBody(400, "invalid_request_error", "Invalid array: enabled_events cannot be empty.", "parameter_invalid_empty", "enabled_events");
        }

        if (form.TryGetValue("disabled", out var disabled))
        {
            if (disabled is not ("true" or "false"))
            {
                return ErrorBody(400, "invalid_request_error", $"Invalid boolean: {disabled}", "parameter_invalid_boolean", "disabled");
            }

            endpoint.Status = disabled == "true" ? "disabled" : "enabled";
        }

        endpoint.Url = url ?? endpoint.Url;
        endpoint.EnabledEvents = events ?? endpoint.EnabledEvents;
        endpoint.Description = form.TryGetValue("description", out var description) ? description : endpoint.Description;
        return (200, endpoint.Shape());
    }

    private static (int, object)? Invalid(string? url, List<string>? events)
    {
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http")))
        {
            return ErrorBody(400, "invalid_request_error", $"Invalid URL: {url}. URLs must begin with http:// or https://.", "url_invalid", "url");
        }

        var index = events?.FindIndex(e => e != "*" && !EventTypePattern().IsMatch(e)) ?? -1;
        return index >= 0
            ? ErrorBody(400, "invalid_request_error", $"Invalid enabled_events[{index}]: '{events![index]}' is not a valid event type.", "parameter_invalid_string", $"enabled_events[{index}]")
            : null;
    }

    /// <summary>Stripe's form encoding: <c>a[0]=x&amp;a[1]=y</c> is a list; <c>a=</c> (empty) is an empty list.</summary>
    private static List<string>? ListParameter(Dictionary<string, string> form, string name)
    {
        if (form.TryGetValue(name, out var whole))
        {
            return whole.Length == 0 ? [] : [whole];
        }

        var items = form.Where(p => p.Key.StartsWith(name + "[", StringComparison.Ordinal) && p.Key.EndsWith(']'))
            .Select(p => (Index: int.TryParse(p.Key[(name.Length + 1)..^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : -1, p.Value))
            .OrderBy(p => p.Index)
            .Select(p => p.Value)
            .ToList();
        return items.Count == 0 ? null : items;
    }

    private static Dictionary<string, string> ParseForm(string raw)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in raw.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split('=', 2);
            form[Uri.UnescapeDataString(parts[0].Replace('+', ' '))] = parts.Length == 2 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : "";
        }

        return form;
    }

    private static FakeWebhookEndpoint? Find(StripeFakeState state, string id) => state.Endpoints.FirstOrDefault(e => e.Id == id);

    private static IResult Missing(string id, string? param) =>
        Error(param is null ? 404 : 400, "invalid_request_error", $"No such webhook endpoint: '{id}'", "resource_missing", param ?? "id");

    internal static string Mask(string key) => key.Length <= 12 ? "****" : key[..8] + "****" + key[^4..];

    internal static IResult Error(int status, string type, string message, string? code = null, string? param = null)
    {
        var (s, body) = ErrorBody(status, type, message, code, param);
        return Results.Json(body, statusCode: s);
    }

    private static (int, object) ErrorBody(int status, string type, string message, string? code = null, string? param = null) =>
        (status, new
        {
            error = new Dictionary<string, object?>
            {
                ["type"] = type,
                ["code"] = code,
                ["message"] = message,
                ["param"] = param,
                ["doc_url"] = code is null ? null : "https://stripe.com/docs/error-codes/" + code.Replace('_', '-'),
                ["request_log_url"] = "https://dashboard.stripe.com/test/logs/" + StripeFakeState.NewId("req_"),
            }.Where(p => p.Value is not null).ToDictionary(),
        });

    [GeneratedRegex("^Bearer\\s+(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex("^[a-z_]+(\\.[a-z_]+)+$")]
    private static partial Regex EventTypePattern();

    /// <summary>
    /// Test controls under <c>/__fake/stripe</c> (no key needed):
    /// <c>POST reset</c> <c>{key?}</c>; <c>POST keys</c> <c>{key, restricted?}</c> adds an accepted key;
    /// <c>POST webhook-endpoints</c> <c>{endpoints:[{url, status?, enabledEvents?, description?, secret?}]}</c> adds endpoints
    /// (oldest first); <c>POST rate-limit</c> <c>{count, shouldRetry?}</c>: the next N calls answer 429;
    /// <c>GET state</c>; <c>GET|DELETE requests</c>.
    /// </summary>
    private static void MapStripeControl(this WebApplication app, StripeFakeState state)
    {
        var control = app.MapGroup("/__fake/stripe");
        control.MapPost("/reset", async (HttpRequest r) => await FakeJson.WithOptionalBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.Reset(FakeJson.String(body, "key") ?? app.Configuration["stripe-key"] ?? StripeFakeState.DefaultKey);
            return Results.Json(new { keys = state.Keys.Keys });
        })));
        control.MapPost("/keys", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            if (FakeJson.String(body, "key") is not { Length: > 0 } key)
            {
                return Results.BadRequest("Expected {key, restricted?}.");
            }

            state.Keys[key] = FakeJson.Bool(body, "restricted") ?? false;
            return Results.Json(new { keys = state.Keys.Keys });
        })));
        control.MapPost("/webhook-endpoints", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            if (!body.TryGetProperty("endpoints", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return Results.BadRequest("Expected {endpoints:[{url, status?, enabledEvents?, description?}]}.");
            }

            var added = new List<object>();
            foreach (var item in list.EnumerateArray())
            {
                var endpoint = new FakeWebhookEndpoint
                {
                    Id = FakeJson.String(item, "id") ?? StripeFakeState.NewId("we_"),
                    Url = FakeJson.String(item, "url") ?? "https://hotmess.london/api/stripe/webhook",
                    Status = FakeJson.String(item, "status") ?? "enabled",
                    EnabledEvents = item.TryGetProperty("enabledEvents", out var events) && events.ValueKind == JsonValueKind.Array
                        ? events.EnumerateArray().Select(e => e.GetString() ?? "").ToList()
                        : ["checkout.session.completed", "payment_intent.succeeded", "charge.refunded"],
                    Description = FakeJson.String(item, "description"),
                    Created = state.NextCreated++,
                    Secret = FakeJson.String(item, "secret") ?? FakeWebhookEndpoint.NewSecret(),
                };

                state.Endpoints.Add(endpoint);
                added.Add(endpoint.Shape());
            }

            return Results.Json(new { added });
        })));
        control.MapPost("/rate-limit", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.RateLimitRemaining = FakeJson.Int(body, "count") ?? 1;
            state.RateLimitShouldRetry = FakeJson.Bool(body, "shouldRetry");
            return Results.Json(new { state.RateLimitRemaining, state.RateLimitShouldRetry });
        })));
        control.MapGet("/state", () => FakeJson.Locked(state.Gate, () => Results.Json(new
        {
            keys = state.Keys.Select(k => new { key = k.Key, restricted = k.Value }),
            endpoints = state.Endpoints.Select(e => e.Shape()),
            secrets = state.Endpoints.ToDictionary(e => e.Id, e => e.Secret),
            state.RateLimitRemaining,
        })));
        control.MapGet("/requests", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Requests)));
        control.MapDelete("/requests", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Requests.Clear();
            return Results.Json(new { cleared = true });
        }));
    }
}
