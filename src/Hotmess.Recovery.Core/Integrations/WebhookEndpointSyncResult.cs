namespace Hotmess.Recovery.Integrations;

/// <summary>
/// The site's Stripe webhook endpoint after a sync. <see cref="SecretChanged"/> means Vercel holds a new
/// <c>STRIPE_WEBHOOK_SECRET</c> that the running deployment does not know yet: redeploy. The secret itself is never here.
/// </summary>
public sealed record WebhookEndpointSyncResult
{
    public required string Id { get; init; }

    public required string Url { get; init; }

    /// <summary><c>enabled</c> or <c>disabled</c>, as Stripe reports it.</summary>
    public required string Status { get; init; }

    public required IReadOnlyList<string> EnabledEvents { get; init; }

    public required WebhookEndpointAction Action { get; init; }

    public required bool SecretChanged { get; init; }

    /// <summary>Where the event list came from: Parameter, Configuration or Endpoint (the existing endpoint's own).</summary>
    public required string EventsSource { get; init; }

    /// <summary>Every change made, and why, in words.</summary>
    public required string Detail { get; init; }

    /// <summary>Endpoints at the same URL that were deleted (replaced by a recreated one, or duplicates).</summary>
    public IReadOnlyList<string> Removed { get; init; } = [];
}
