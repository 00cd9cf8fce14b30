namespace Hotmess.Recovery.Integrations;

/// <summary>What <see cref="WebhookEndpointSync"/> did to the site's Stripe webhook endpoint; the strongest change wins.</summary>
public enum WebhookEndpointAction
{
    /// <summary>It existed, enabled, with the wanted events, and Vercel holds a signing secret.</summary>
    Unchanged,

    /// <summary>Its event types were replaced by the wanted ones.</summary>
    EventsUpdated,

    /// <summary>It was disabled and is enabled again (its events may have been updated too).</summary>
    Enabled,

    /// <summary>It was created (or recreated for a new signing secret), and the secret written to Vercel.</summary>
    Created,
}
