namespace Hotmess.Recovery.Fakes.Stripe;

/// <summary>The account's recent activity the payment checks read: events with their webhook deliveries, and PaymentIntents.</summary>
internal sealed class StripeActivityState
{
    public object Gate { get; } = new();

    /// <summary>Oldest first; listed newest first.</summary>
    public List<FakeEvent> Events { get; } = [];

    /// <summary>Oldest first; listed newest first.</summary>
    public List<FakePaymentIntent> PaymentIntents { get; } = [];

    public void Clear()
    {
        Events.Clear();
        PaymentIntents.Clear();
    }
}

internal sealed record FakeEvent(string Id, string Type, long Created, int PendingWebhooks, string ObjectId)
{
    public object Shape() => new Dictionary<string, object?>
    {
        ["id"] = Id,
        ["object"] = "event",
        ["api_version"] = "2026-07-29.dahlia",
        ["created"] = Created,
        ["data"] = new { @object = new { id = ObjectId, @object = "payment_intent" } },
        ["livemode"] = false,
        ["pending_webhooks"] = PendingWebhooks,
        ["request"] = new { id = (string?)null, idempotency_key = (string?)null },
        ["type"] = Type,
    };
}

/// <summary>A PaymentIntent; <see cref="Failed"/> gives it a <c>last_payment_error</c> (a declined card).</summary>
internal sealed record FakePaymentIntent(string Id, string Status, long Created, bool Failed)
{
    public object Shape() => new Dictionary<string, object?>
    {
        ["id"] = Id,
        ["object"] = "payment_intent",
        ["amount"] = 2500,
        ["currency"] = "gbp",
        ["created"] = Created,
        ["livemode"] = false,
        ["status"] = Status,
        ["latest_charge"] = Status == "succeeded" ? "ch_" + Id[3..] : null,
        ["last_payment_error"] = Failed
            ? new { type = "card_error", code = "card_declined", decline_code = "generic_decline", message = "Your card was declined." }
            : null,
    };
}
