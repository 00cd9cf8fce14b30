namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The <c>stripe</c> section: the site's webhook endpoint as Stripe should know it, so that a recovery can recreate
/// it exactly (the URL and the event types it listens to). Secrets are not here: the signing secret lives in
/// Vercel as <c>STRIPE_WEBHOOK_SECRET</c>.
/// </summary>
public sealed class StripeSettings
{
    /// <summary>The endpoint's URL, e.g. <c>https://hotmess.london/api/stripe/webhook</c>.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary>The event types it listens to, e.g. <c>checkout.session.completed</c>; null when not configured.</summary>
    public List<string>? WebhookEvents { get; set; }
}
