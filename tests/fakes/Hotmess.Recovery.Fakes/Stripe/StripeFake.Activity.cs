using System.Globalization;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.Stripe;

/// <summary>
/// Events and PaymentIntents (api-contracts §9): <c>GET /v1/events</c> with <c>delivery_success</c> (false = a webhook
/// still pending or failed on some endpoint, i.e. <c>pending_webhooks</c> &gt; 0), <c>type</c>, <c>created[gte|gt|lte|lt]</c>,
/// <c>limit</c> 1–100 and <c>starting_after</c>; only the last 30 days are served. <c>GET /v1/payment_intents</c> with
/// <c>created[…]</c>, <c>limit</c>, <c>starting_after</c> and no status filter. Both newest first, paged by
/// <c>has_more</c>. Steered by <c>POST /__fake/stripe/events</c> <c>{events:[{type?, minutesAgo?, delivered?}]}</c>,
/// <c>POST /__fake/stripe/payment-intents</c> <c>{paymentIntents:[{status?, failed?, minutesAgo?}]}</c> and
/// <c>DELETE /__fake/stripe/activity</c>.
/// </summary>
public static partial class StripeFake
{
    private static void MapActivity(WebApplication app, RouteGroupBuilder api, StripeFakeState state)
    {
        var activity = state.Activity;
        api.MapPost("/v1/payment_intents", async Task<IResult> (HttpContext c) => await HandlePost(state, c, form => CreatePaymentIntent(state, form, Livemode(c))));
        api.MapGet("/v1/events/{id}", (HttpContext c, string id) => Handle(state, c, restrictedDenied: true, (_, _) =>
        {
            lock (activity.Gate)
            {
                return activity.Events.FirstOrDefault(e => e.Id == id) is { } found
                    ? Results.Json(found.Shape())
                    : Error(404, "invalid_request_error", $"No such event: '{id}'", "resource_missing", "id");
            }
        }));
        api.MapGet("/v1/events", (HttpContext c) => Handle(state, c, restrictedDenied: true, (_, _) =>
        {
            lock (activity.Gate)
            {
                var delivery = c.Request.Query["delivery_success"].ToString();
                if (delivery.Length > 0 && delivery is not ("true" or "false"))
                {
                    return Error(400, "invalid_request_error", $"Invalid boolean: {delivery}", "parameter_invalid_boolean", "delivery_success");
                }

                var type = c.Request.Query["type"].ToString();
                var oldest = DateTimeOffset.UtcNow.AddDays(-30).ToUnixTimeSeconds();
                var events = activity.Events.Where(e => e.Created >= oldest
                    && (delivery.Length == 0 || (delivery == "false") == (e.PendingWebhooks > 0))
                    && (type.Length == 0 || e.Type == type));
                return Page(c.Request, "/v1/events", events.Select(e => (e.Id, e.Created, e.Shape())));
            }
        }));
        api.MapGet("/v1/payment_intents", (HttpContext c) => Handle(state, c, restrictedDenied: true, (_, _) =>
        {
            lock (activity.Gate)
            {
                return Page(c.Request, "/v1/payment_intents", activity.PaymentIntents.Select(p => (p.Id, p.Created, p.Shape())));
            }
        }));

        var control = app.MapGroup("/__fake/stripe");
        control.MapPost("/events", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(activity.Gate, () =>
        {
            if (!body.TryGetProperty("events", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return Results.BadRequest("Expected {events:[{type?, minutesAgo?, delivered?}]}.");
            }

            var added = list.EnumerateArray().Select(item => new FakeEvent(
                StripeFakeState.NewId("evt_"),
                FakeJson.String(item, "type") ?? "payment_intent.succeeded",
                DateTimeOffset.UtcNow.AddMinutes(-(FakeJson.Int(item, "minutesAgo") ?? 1)).ToUnixTimeSeconds(),
                FakeJson.Bool(item, "delivered") == false ? 1 : 0,
                StripeFakeState.NewId("pi_"))).ToList();
            activity.Events.AddRange(added);
            return Results.Json(new { added = added.Select(e => e.Shape()) });
        })));
        control.MapPost("/payment-intents", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(activity.Gate, () =>
        {
            if (!body.TryGetProperty("paymentIntents", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return Results.BadRequest("Expected {paymentIntents:[{status?, failed?, minutesAgo?}]}.");
            }

            var added = list.EnumerateArray().Select(item =>
            {
                var failed = FakeJson.Bool(item, "failed") ?? false;
                return new FakePaymentIntent(
                    StripeFakeState.NewId("pi_"),
                    FakeJson.String(item, "status") ?? (failed ? "requires_payment_method" : "succeeded"),
                    DateTimeOffset.UtcNow.AddMinutes(-(FakeJson.Int(item, "minutesAgo") ?? 1)).ToUnixTimeSeconds(),
                    failed);
            }).ToList();
            activity.PaymentIntents.AddRange(added);
            return Results.Json(new { added = added.Select(p => p.Shape()) });
        })));
        control.MapDelete("/activity", () => FakeJson.Locked(activity.Gate, () =>
        {
            activity.Clear();
            return Results.Json(new { cleared = true });
        }));
    }

    /// <summary>A Stripe list of <paramref name="items"/> (oldest first) newest first, filtered by <c>created[…]</c>, paged.</summary>
    private static IResult Page(HttpRequest request, string url, IEnumerable<(string Id, long Created, object Shape)> items)
    {
        var limitText = request.Query["limit"].ToString();
        var limit = 10;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return Error(400, "invalid_request_error", $"Invalid limit: must be an integer between 1 and 100 (got '{limitText}').", "parameter_invalid_integer", "limit");
        }

        var bounds = new List<(string Key, Func<long, long, bool> Keep)>
        {
            ("created[gte]", (c, b) => c >= b), ("created[gt]", (c, b) => c > b), ("created[lte]", (c, b) => c <= b), ("created[lt]", (c, b) => c < b),
        };
        var filtered = items.Reverse().ToList();
        foreach (var (key, keep) in bounds)
        {
            var text = request.Query[key].ToString();
            if (text.Length == 0)
            {
                continue;
            }

            if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bound))
            {
                return Error(400, "invalid_request_error", $"Invalid integer: {text}", "parameter_invalid_integer", key);
            }

            filtered = filtered.Where(i => keep(i.Created, bound)).ToList();
        }

        var ordered = filtered.OrderByDescending(i => i.Created).ToList();
        var startingAfter = request.Query["starting_after"].ToString();
        var from = 0;
        if (startingAfter.Length > 0)
        {
            var index = ordered.FindIndex(i => i.Id == startingAfter);
            if (index < 0)
            {
                return Error(400, "invalid_request_error", $"No such object: '{startingAfter}'", "resource_missing", "starting_after");
            }

            from = index + 1;
        }

        var page = ordered.Skip(from).Take(limit).ToList();
        return Results.Json(new { @object = "list", data = page.Select(i => i.Shape), has_more = ordered.Count > from + limit, url });
    }
}
