using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Stripe;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Makes the site's Stripe webhook endpoint exist, enabled, with its events, and its signing secret in Vercel.</para>
/// </summary>
[Cmdlet(VerbsData.Sync, "HotmessWebhookEndpoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(WebhookEndpointSyncResult))]
public sealed class SyncHotmessWebhookEndpointCommand : VercelCmdlet
{
    /// <summary>The endpoint's URL; stripe.webhookUrl, else the one endpoint under the site's URL, when not given.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public Uri? Url { get; set; }

    /// <summary>The event types it must listen to; stripe.webhookEvents, else the existing endpoint's, when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("EnabledEvents")]
    public string[]? EnabledEvent { get; set; }

    /// <summary>Recreate the endpoint for a new signing secret even when Vercel holds one (deliveries fail on a wrong secret).</summary>
    [Parameter]
    public SwitchParameter RenewSecret { get; set; }

    /// <summary>The Stripe secret key; STRIPE_SECRET_KEY when not given.</summary>
    [Parameter]
    public SecureString? StripeSecretKey { get; set; }

    protected override void ProcessRecord()
    {
        if (Url is { } given && (!given.IsAbsoluteUri || given.Scheme is not ("https" or "http")))
        {
            ThrowArgumentError("WebhookUrlInvalid", $"-Url '{given}' is not an absolute http(s) URL.", given);
        }

        var key = ToSecret(StripeSecretKey) ?? ConfigurationLoader.GetSecret(System.Environment.GetEnvironmentVariables(), "STRIPE_SECRET_KEY");
        if (key is null)
        {
            ThrowArgumentError("StripeSecretKeyMissing", "No Stripe secret key: pass -StripeSecretKey or set STRIPE_SECRET_KEY.", "STRIPE_SECRET_KEY");
        }

        var request = new WebhookEndpointSyncRequest
        {
            Url = Url,
            EnabledEvents = EnabledEvent,
            Configuration = Configuration.Stripe,
            SiteUrl = Uri.TryCreate(Configuration.Platform.SiteUrl, UriKind.Absolute, out var site) ? site : null,
            RenewSecret = RenewSecret,
        };
        var stripeUrl = new Uri(Configuration.Platform.StripeApiUrl ?? "https://api.stripe.com");
        var plan = RunVercel((client, log, token) => Sync(client, key!, stripeUrl, log, sync => sync.PlanAsync(request, token)));
        WriteVerbose($"Events from {plan.EventsSource}: {string.Join(", ", plan.Events)}.");
        if (plan.Action == WebhookEndpointAction.Unchanged)
        {
            WriteObject(RunVercel((client, log, token) => Sync(client, key!, stripeUrl, log, sync => sync.ApplyAsync(plan, token))));
            return;
        }

        if (!ShouldProcess($"Stripe webhook endpoint {plan.Url} ({plan.Reason})", plan.Recreate ? "Create webhook endpoint and set STRIPE_WEBHOOK_SECRET" : "Update webhook endpoint"))
        {
            return;
        }

        var result = RunVercel((client, log, token) => Sync(client, key!, stripeUrl, log, sync => sync.ApplyAsync(plan, token)));
        if (result.SecretChanged)
        {
            WriteWarning($"STRIPE_WEBHOOK_SECRET changed in Vercel project '{VercelSettings.ProjectId}': redeploy (Invoke-HotmessRedeploy) for the site to verify Stripe's new signatures.");
        }

        WriteObject(result);
    }

    private static async Task<T> Sync<T>(Platform.Vercel.VercelClient client, Secret key, Uri stripeUrl, IOperationLog log, Func<WebhookEndpointSync, Task<T>> work)
    {
        // The Stripe client's own pipeline times each attempt; a whole-client timer would cut its retries short.
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var stripe = new StripeAccountClient(http, stripeUrl, key, log);
        return await work(new WebhookEndpointSync(stripe, new VercelEnvironmentStore(client), log)).ConfigureAwait(false);
    }
}
