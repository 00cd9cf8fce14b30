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
    /// <summary>The whole object the event is about; a stub with its id when not set.</summary>
    public object? Payload { get; init; }

    public bool Livemode { get; init; }

    public object Shape() => new Dictionary<string, object?>
    {
        ["id"] = Id,
        ["object"] = "event",
        ["api_version"] = "2026-07-29.dahlia",
        ["created"] = Created,
        ["data"] = new { @object = Payload ?? new { id = ObjectId, @object = "payment_intent" } },
        ["livemode"] = Livemode,
        ["pending_webhooks"] = PendingWebhooks,
        ["request"] = new { id = (string?)null, idempotency_key = (string?)null },
        ["type"] = Type,
    };
}

/// <summary>A PaymentIntent; <see cref="Failed"/> gives it a <c>last_payment_error</c> (a declined card).</summary>
internal sealed record FakePaymentIntent(string Id, string Status, long Created, bool Failed)
{
    public long Amount { get; init; } = 2500;

    public string Currency { get; init; } = "gbp";

    public bool Livemode { get; init; }

    public string? PaymentMethod { get; init; }

    public Dictionary<string, string> Metadata { get; init; } = [];

    public object Shape() => new Dictionary<string, object?>
    {
        ["id"] = Id,
        ["object"] = "payment_intent",
        ["amount"] = Amount,
        ["currency"] = Currency,
        ["metadata"] = Metadata,
        ["created"] = Created,
        ["livemode"] = Livemode,
        ["status"] = Status,
        ["payment_method"] = PaymentMethod,
        ["latest_charge"] = Status == "succeeded" ? "ch_" + Id[3..] : null,
        ["last_payment_error"] = Failed
            ? new { type = "card_error", code = "card_declined", decline_code = "generic_decline", message = "Your card was declined." }
            : null,
    };
}
