using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.Stripe;

/// <summary>
/// Test payments (api-contracts §9): <c>POST /v1/payment_intents</c> with <c>amount</c>, <c>currency</c>,
/// <c>payment_method</c>, <c>confirm</c>, <c>metadata[…]</c>; confirming needs <c>automatic_payment_methods[allow_redirects]=never</c>
/// or a <c>return_url</c>, as Stripe says. <c>pm_card_visa</c> succeeds; <c>pm_card_chargeDeclined</c> (and
/// <c>pm_card_visa_chargeDeclined</c>) are declined with 402 <c>card_error</c>. Each outcome records its event
/// (<c>payment_intent.succeeded</c> / <c>payment_intent.payment_failed</c>) whose <c>pending_webhooks</c> counts the
/// enabled endpoints listening to it, and delivers it: a POST of the event to each endpoint's URL with a
/// <c>Stripe-Signature</c> (<c>t=…,v1=HMAC-SHA256(secret, "t.payload")</c>) made with that endpoint's secret, up to three
/// attempts; a 2xx takes one off <c>pending_webhooks</c>. Only loopback URLs are posted to: the fake never leaves the machine,
/// so an endpoint elsewhere stays pending, as one that answers an error or checks another secret does.
/// </summary>
public static partial class StripeFake
{
    private static readonly HttpClient Delivery = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static readonly string[] DeclinedCards = ["pm_card_chargeDeclined", "pm_card_visa_chargeDeclined"];

    private static (int, object) CreatePaymentIntent(StripeFakeState state, Dictionary<string, string> form, bool livemode)
    {
        if (!form.TryGetValue("amount", out var amountText) || !long.TryParse(amountText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var amount) || amount < 1)
        {
            return ErrorBody(400, "invalid_request_error", "Missing required param: amount.", "parameter_missing", "amount");
        }

        if (!form.TryGetValue("currency", out var currency) || currency.Length != 3)
        {
            return ErrorBody(400, "invalid_request_error", "Missing required param: currency.", "parameter_missing", "currency");
        }

        var confirm = form.GetValueOrDefault("confirm") == "true";
        var paymentMethod = form.GetValueOrDefault("payment_method");
        if (confirm && form.GetValueOrDefault("automatic_payment_methods[allow_redirects]") != "never" && !form.ContainsKey("return_url"))
        {
            return ErrorBody(400, "invalid_request_error",
                "A `return_url` must be specified because this Payment Intent is configured to automatically accept the payment methods enabled in the Dashboard, some of which may require a full page redirect to succeed. If you do not want to accept redirect-based payment methods, set `automatic_payment_methods[enabled]` to `true` and `automatic_payment_methods[allow_redirects]` to `never` when creating Setup Intents and Payment Intents.");
        }

        if (confirm && paymentMethod is null)
        {
            return ErrorBody(400, "invalid_request_error", "You cannot confirm this PaymentIntent because it's missing a payment method.", "payment_intent_unexpected_state");
        }

        if (paymentMethod is not null && paymentMethod != "pm_card_visa" && !DeclinedCards.Contains(paymentMethod))
        {
            return ErrorBody(400, "invalid_request_error", $"No such PaymentMethod: '{paymentMethod}'", "resource_missing", "payment_method");
        }

        var metadata = form.Where(p => p.Key.StartsWith("metadata[", StringComparison.Ordinal) && p.Key.EndsWith(']'))
            .ToDictionary(p => p.Key["metadata[".Length..^1], p => p.Value);
        var declined = confirm && DeclinedCards.Contains(paymentMethod!);
        var status = !confirm ? "requires_confirmation" : declined ? "requires_payment_method" : "succeeded";
        var intent = new FakePaymentIntent(StripeFakeState.NewId("pi_"), status, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), declined)
        {
            Amount = amount,
            Currency = currency.ToLowerInvariant(),
            Metadata = metadata,
            Livemode = livemode,
            PaymentMethod = paymentMethod,
        };
        lock (state.Activity.Gate)
        {
            state.Activity.PaymentIntents.Add(intent);
        }

        if (confirm)
        {
            Publish(state, declined ? "payment_intent.payment_failed" : "payment_intent.succeeded", intent, livemode);
        }

        return declined
            ? (402, new
            {
                error = new Dictionary<string, object?>
                {
                    ["type"] = "card_error",
                    ["code"] = "card_declined",
                    ["decline_code"] = "generic_decline",
                    ["message"] = "Your card was declined.",
                    ["payment_intent"] = intent.Shape(),
                    ["doc_url"] = "https://stripe.com/docs/error-codes/card-declined",
                },
            })
            : (200, intent.Shape());
    }

    /// <summary>Records the event and starts delivering it to every enabled endpoint listening to its type (the caller holds the state's gate).</summary>
    private static void Publish(StripeFakeState state, string type, FakePaymentIntent intent, bool livemode)
    {
        var targets = state.Endpoints.Where(e => e.Status == "enabled" && (e.EnabledEvents.Contains(type) || e.EnabledEvents.Contains("*")))
            .Select(e => (e.Url, e.Secret)).ToList();
        var created = new FakeEvent(StripeFakeState.NewId("evt_"), type, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), targets.Count, intent.Id)
        {
            Payload = intent.Shape(),
            Livemode = livemode,
        };
        lock (state.Activity.Gate)
        {
            state.Activity.Events.Add(created);
        }

        var payload = JsonSerializer.Serialize(created.Shape());
        foreach (var (url, secret) in targets)
        {
            _ = Task.Run(() => DeliverAsync(state, created.Id, url, secret, payload));
        }
    }

    private static async Task DeliverAsync(StripeFakeState state, string eventId, string url, string secret, string payload)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || !IsLoopback(target))
        {
            return;
        }

        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(300 * attempt));
            }

            try
            {
                var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                request.Headers.TryAddWithoutValidation("Stripe-Signature", $"t={timestamp},v1={Sign(secret, timestamp, payload)}");
                request.Headers.UserAgent.ParseAdd("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
                using var response = await Delivery.SendAsync(request);
                if (response.IsSuccessStatusCode)
                {
                    lock (state.Activity.Gate)
                    {
                        var index = state.Activity.Events.FindIndex(e => e.Id == eventId);
                        if (index >= 0)
                        {
                            var e = state.Activity.Events[index];
                            state.Activity.Events[index] = e with { PendingWebhooks = Math.Max(0, e.PendingWebhooks - 1) };
                        }
                    }

                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Stripe retries a failed delivery later; so does this, a few times.
            }
        }
    }

    /// <summary>Stripe's v1 scheme: hex HMAC-SHA256 of "timestamp.payload" keyed by the endpoint's whole secret.</summary>
    internal static string Sign(string secret, string timestamp, string payload) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"))).ToLowerInvariant();

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || (IPAddress.TryParse(uri.Host, out var address) && IPAddress.IsLoopback(address));
}
