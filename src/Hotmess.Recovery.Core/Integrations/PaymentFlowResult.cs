namespace Hotmess.Recovery.Integrations;

/// <summary>
/// A test payment and its webhook: <see cref="Passed"/> when the PaymentIntent succeeded and its
/// <c>payment_intent.succeeded</c> event reached every endpoint (<see cref="PendingWebhooks"/> 0).
/// </summary>
public sealed record PaymentFlowResult
{
    public string? PaymentIntentId { get; init; }

    public required string Status { get; init; }

    public string? EventId { get; init; }

    /// <summary>The event's webhooks not yet delivered with a 2xx when the check ended; null when no event was found.</summary>
    public long? PendingWebhooks { get; init; }

    public required bool Delivered { get; init; }

    public required bool Livemode { get; init; }

    public required TimeSpan Duration { get; init; }

    public required bool Passed { get; init; }

    /// <summary>What was found, or what went wrong, in words.</summary>
    public required string Reason { get; init; }

    /// <summary>When not passed: PaymentDeclined, PaymentNotSucceeded, PaymentEventMissing or WebhookNotDelivered.</summary>
    public string? ErrorId { get; init; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }
}
