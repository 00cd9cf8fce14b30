using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Stripe;

namespace Hotmess.Recovery.Integrations;

/// <summary>What a payment check charges, and how long it waits for the webhook.</summary>
public sealed record PaymentFlowRequest
{
    public const string SucceededEvent = "payment_intent.succeeded";

    /// <summary>A live key is refused unless this is set: the check would charge a real card.</summary>
    public bool AllowLivePayment { get; init; }

    /// <summary>Stripe's test card that always succeeds.</summary>
    public string PaymentMethod { get; init; } = "pm_card_visa";

    /// <summary>In the currency's smallest unit: 100 is £1.00.</summary>
    public long Amount { get; init; } = 100;

    /// <summary>The account's balance currency when null.</summary>
    public string? Currency { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// "Customers can pay again": in Stripe test mode, a PaymentIntent confirmed with a test card must succeed, and its
/// <c>payment_intent.succeeded</c> event must be delivered to the site's webhook (<c>pending_webhooks</c> reaching 0,
/// which also proves the site verifies Stripe's signature with the right secret). A live key is refused
/// (<c>LivePaymentRefused</c>) unless allowed. A failed check is a result with its reason, not an exception.
/// </summary>
public sealed class PaymentFlowCheck(StripeAccountClient stripe, Secret key, TimeProvider time, IOperationLog log)
{
    public const string Purpose = "hotmess-recovery-check";

    public async Task<PaymentFlowResult> RunAsync(PaymentFlowRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var account = await stripe.CheckKeyAsync(cancellationToken).ConfigureAwait(false);
        var live = account.Livemode || key.Reveal().Contains("_live_", StringComparison.Ordinal);
        if (live && !request.AllowLivePayment)
        {
            throw new HotmessException("LivePaymentRefused", FailureKind.InvalidOperation,
                $"The Stripe key {key.Masked} is a live-mode key: a test payment would charge a real card. Use a test-mode key (sk_test_…), or pass -AllowLivePayment.",
                key.Masked);
        }

        var currency = (request.Currency ?? account.Currencies.FirstOrDefault() ?? "usd").ToLowerInvariant();
        var since = time.GetUtcNow().AddMinutes(-5);
        log.Verbose($"Stripe {(live ? "LIVE" : "test")} mode: confirming a payment of {request.Amount} {currency} with {request.PaymentMethod}.");
        var attempt = await stripe.CreateConfirmedPaymentAsync(request.Amount, currency, request.PaymentMethod,
            "HotmessRecovery payment check after a recovery", new Dictionary<string, string> { ["purpose"] = Purpose }, cancellationToken).ConfigureAwait(false);
        PaymentFlowResult Result(bool passed, string reason, string? errorId, StripeEventSummary? found = null) => new()
        {
            PaymentIntentId = attempt.Id,
            Status = attempt.Status,
            EventId = found?.Id,
            PendingWebhooks = found?.PendingWebhooks,
            Delivered = found is { PendingWebhooks: 0 },
            Livemode = live,
            Duration = time.GetElapsedTime(started),
            Passed = passed,
            Reason = reason,
            ErrorId = errorId,
            Amount = request.Amount,
            Currency = currency,
        };

        if (attempt.Declined is { } declined)
        {
            return Result(false, $"Stripe declined the payment {attempt.Id} ({declined}).", "PaymentDeclined");
        }

        if (!attempt.Succeeded)
        {
            return Result(false, $"The payment {attempt.Id} is {attempt.Status}, not succeeded.", "PaymentNotSucceeded");
        }

        log.Verbose($"Payment {attempt.Id} succeeded; waiting for its {PaymentFlowRequest.SucceededEvent} event to be delivered.");
        var deadline = time.GetUtcNow() + request.Timeout;
        StripeEventSummary? found = null;
        while (true)
        {
            found = await stripe.FindEventAsync(PaymentFlowRequest.SucceededEvent, attempt.Id!, since, cancellationToken).ConfigureAwait(false) ?? found;
            if (found is { PendingWebhooks: 0 })
            {
                return Result(true, $"Payment {attempt.Id} succeeded and its event {found.Id} was delivered to every webhook endpoint.", null, found);
            }

            log.Verbose(found is null
                ? $"No {PaymentFlowRequest.SucceededEvent} event for {attempt.Id} yet."
                : $"Event {found.Id}: {found.PendingWebhooks} webhook(s) not yet delivered.");
            if (time.GetUtcNow() + request.PollInterval > deadline)
            {
                break;
            }

            await Task.Delay(request.PollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        var waited = $"{request.Timeout.TotalSeconds:0} s";
        return found is null
            ? Result(false, $"Payment {attempt.Id} succeeded, but Stripe recorded no {PaymentFlowRequest.SucceededEvent} event for it within {waited}.", "PaymentEventMissing")
            : Result(false, $"Payment {attempt.Id} succeeded, but its event {found.Id} still has {found.PendingWebhooks} webhook(s) undelivered after {waited}: "
                + "the site's endpoint is failing or disabled, or it verifies with another signing secret (Sync-HotmessWebhookEndpoint -RenewSecret, then redeploy).",
                "WebhookNotDelivered", found);
    }
}
