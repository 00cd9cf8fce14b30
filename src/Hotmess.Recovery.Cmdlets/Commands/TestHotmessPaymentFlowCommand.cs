using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Stripe;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Makes a test payment in Stripe and checks that it succeeds and its webhook event reaches the site.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessPaymentFlow", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(PaymentFlowResult))]
public sealed class TestHotmessPaymentFlowCommand : HotmessCmdlet
{
    /// <summary>Lets the check run with a live-mode key, charging a real card.</summary>
    [Parameter]
    public SwitchParameter AllowLivePayment { get; set; }

    /// <summary>How long to wait for the event to be delivered.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>How often Stripe is asked about the event.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int PollIntervalSeconds { get; set; } = 2;

    /// <summary>The test card: pm_card_visa (succeeds) by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string PaymentMethod { get; set; } = "pm_card_visa";

    /// <summary>The amount in the currency's smallest unit.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public long Amount { get; set; } = 100;

    /// <summary>Three-letter currency; the account's balance currency when not given.</summary>
    [Parameter]
    [ValidatePattern("^[A-Za-z]{3}$")]
    public string? Currency { get; set; }

    /// <summary>The Stripe secret key; STRIPE_SECRET_KEY when not given.</summary>
    [Parameter]
    public SecureString? StripeSecretKey { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var key = ToSecret(StripeSecretKey) ?? ConfigurationLoader.GetSecret(System.Environment.GetEnvironmentVariables(), "STRIPE_SECRET_KEY");
        if (key is null)
        {
            ThrowArgumentError("StripeSecretKeyMissing", "No Stripe secret key: pass -StripeSecretKey or set STRIPE_SECRET_KEY.", "STRIPE_SECRET_KEY");
        }

        var request = new PaymentFlowRequest
        {
            AllowLivePayment = AllowLivePayment,
            PaymentMethod = PaymentMethod,
            Amount = Amount,
            Currency = Currency,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds),
        };
        var mode = key!.Reveal().Contains("_live_", StringComparison.Ordinal) ? "LIVE" : "test-mode";
        if (!ShouldProcess($"Stripe ({mode} key {key.Masked})", $"Confirm a payment of {Amount} {Currency ?? "(account currency)"} with {PaymentMethod}"))
        {
            return;
        }

        var stripeUrl = new Uri(configuration.Platform.StripeApiUrl ?? "https://api.stripe.com");
        PaymentFlowResult? result = null;
        Terminating(() => result = RunEngine(async (log, token) =>
        {
            // The Stripe client's own pipeline times each attempt; a whole-client timer would cut its retries short.
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var stripe = new StripeAccountClient(http, stripeUrl, key, log);
            return await new PaymentFlowCheck(stripe, key, TimeProvider.System, log).RunAsync(request, token).ConfigureAwait(false);
        }));
        WriteObject(result);
        if (!result!.Passed)
        {
            // A runbook with ErrorAction Stop must stop here; the result above says what was found.
            WriteError(new ErrorRecord(new InvalidOperationException(result.Reason), result.ErrorId, ErrorCategory.InvalidResult, result.PaymentIntentId));
        }
    }
}
