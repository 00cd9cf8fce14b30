using System.Security.Cryptography;

namespace Hotmess.Recovery.Fakes.Stripe;

/// <summary>Everything the Stripe fake knows: the keys it accepts, the account's webhook endpoints, replayable POSTs.</summary>
internal sealed class StripeFakeState
{
    public const string DefaultKey = "sk_test_hotmessfakekey0001";

    public object Gate { get; } = new();

    /// <summary>Accepted keys; a restricted one may not read the balance or webhook endpoints (403).</summary>
    public Dictionary<string, bool> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Oldest first; listed newest first, as Stripe lists.</summary>
    public List<FakeWebhookEndpoint> Endpoints { get; } = [];

    /// <summary>Idempotency-Key → the request body it came with and the answer to replay.</summary>
    public Dictionary<string, (string Body, int Status, string Response)> Idempotent { get; } = new(StringComparer.Ordinal);

    /// <summary>The next N API calls answer 429.</summary>
    public int RateLimitRemaining { get; set; }

    /// <summary>Sent as <c>Stripe-Should-Retry</c> on those 429s when set.</summary>
    public bool? RateLimitShouldRetry { get; set; }

    public List<object> Requests { get; } = [];

    /// <summary>Events and PaymentIntents; its own gate, taken after <see cref="Gate"/> when both are needed.</summary>
    public StripeActivityState Activity { get; } = new();

    public long NextCreated { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 86_400;

    public void Reset(string key)
    {
        Keys.Clear();
        Keys[key] = false;
        Endpoints.Clear();
        Idempotent.Clear();
        RateLimitRemaining = 0;
        RateLimitShouldRetry = null;
        Requests.Clear();
        lock (Activity.Gate)
        {
            Activity.Clear();
        }
    }

    public static string NewId(string prefix) => prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();
}

internal sealed class FakeWebhookEndpoint
{
    public required string Id { get; init; }

    public required string Url { get; set; }

    public List<string> EnabledEvents { get; set; } = ["*"];

    public string Status { get; set; } = "enabled";

    public string? Description { get; set; }

    public long Created { get; init; }

    public bool Livemode { get; init; }

    /// <summary>The signing secret; Stripe shows it only in the answer that creates the endpoint.</summary>
    public string Secret { get; init; } = NewSecret();

    public static string NewSecret() => "whsec_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public object Shape(bool withSecret = false) => new Dictionary<string, object?>
    {
        ["id"] = Id,
        ["object"] = "webhook_endpoint",
        ["api_version"] = null,
        ["application"] = null,
        ["created"] = Created,
        ["description"] = Description,
        ["enabled_events"] = EnabledEvents,
        ["livemode"] = Livemode,
        ["metadata"] = new Dictionary<string, string>(),
        ["status"] = Status,
        ["url"] = Url,
        ["secret"] = withSecret ? Secret : null,
    }.Where(p => p.Key != "secret" || withSecret).ToDictionary();
}
