using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Stripe;

namespace Hotmess.Recovery.Monitoring;

public sealed partial class HealthCheckEngine
{
    private static readonly TimeSpan PaymentWindow = TimeSpan.FromHours(1);

    /// <summary>The share of the last hour's events whose webhooks were not all delivered.</summary>
    private async Task<IReadOnlyList<HealthCheckResult>> CheckStripeWebhooksAsync(HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        const string name = HealthCheckDefaults.StripeWebhooks;
        if (StripeClient(name, settings, out var skipped) is not { } client)
        {
            return One(skipped!);
        }

        var counts = await client.CountEventsAsync(_clock.GetUtcNow() - PaymentWindow, cancellationToken).ConfigureAwait(false);
        return One(Share(name, settings, counts.Undelivered, counts.Total, "event(s) of the last hour not delivered to every webhook endpoint"));
    }

    /// <summary>The share of the last hour's attempted payments that failed.</summary>
    private async Task<IReadOnlyList<HealthCheckResult>> CheckStripePaymentsAsync(HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        const string name = HealthCheckDefaults.StripePayments;
        if (StripeClient(name, settings, out var skipped) is not { } client)
        {
            return One(skipped!);
        }

        var counts = await client.CountPaymentsAsync(_clock.GetUtcNow() - PaymentWindow, cancellationToken).ConfigureAwait(false);
        return One(Share(name, settings, counts.Failed, counts.Attempted, "payment(s) attempted in the last hour failed"));
    }

    private StripeAccountClient? StripeClient(string name, HealthCheckSettings settings, out HealthCheckResult? skipped)
    {
        skipped = null;
        if (_targets.StripeSecretKey is null)
        {
            skipped = Skipped(name, settings, "no Stripe key: set STRIPE_SECRET_KEY");
            return null;
        }

        var url = PlatformHttp.TryParse(_targets.StripeApiUrl ?? "https://api.stripe.com")
            ?? throw new HotmessException("StripeApiUrlInvalid", FailureKind.InvalidArgument,
                $"The Stripe API URL '{_targets.StripeApiUrl}' is not an http(s) URL; set STRIPE_API_URL or platform.stripeApiUrl.", _targets.StripeApiUrl);
        return new StripeAccountClient(_http, url, _targets.StripeSecretKey, _log, _resilience);
    }

    private HealthCheckResult Share(string name, HealthCheckSettings settings, int failed, int total, string what)
    {
        var threshold = settings.Threshold ?? 5;
        if (total == 0)
        {
            return Result(name, HealthStatus.Healthy, settings, Percent(0), $"<= {Percent(threshold)}", $"none in the last hour: 0 of 0 {what}");
        }

        var share = failed * 100.0 / total;
        return Result(name, ByPercent(share, threshold), settings, Percent(share), $"<= {Percent(threshold)}", $"{failed} of {total} {what}");
    }
}
