using System.Net;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;
using Stripe;

namespace Hotmess.Recovery.Platform.Stripe;

/// <summary>
/// The parts of Stripe that credential recovery and the payment health checks need, through Stripe.net pointed at the configured API base
/// (<c>STRIPE_API_URL</c>): check a key, list and update webhook endpoints, count events and payments. Stripe.net's own retries are off;
/// its requests go through the shared pipeline (<see cref="ResilientHandler"/>): GETs, and POSTs because each
/// carries an <c>Idempotency-Key</c> (Stripe runs a repeated key once), are retried on 429, 5xx, connection errors
/// and timeouts, unless Stripe answers <c>Stripe-Should-Retry: false</c>. What is left becomes a
/// <see cref="HotmessException"/>. No Stripe.net type leaves this class.
/// </summary>
public sealed class StripeAccountClient
{
    private const int PageSize = 100;
    private readonly StripeClient _client;
    private readonly Secret _apiKey;
    private readonly string _apiBase;
    private readonly IOperationLog _log;

    /// <param name="resilience">Retries and timeouts; the API defaults of <see cref="HttpResilienceOptions"/> when null.</param>
    public StripeAccountClient(HttpClient http, Uri apiBase, Secret apiKey, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _apiKey = apiKey;
        _apiBase = PlatformHttp.AsBase(apiBase, "The Stripe API URL (STRIPE_API_URL)").AbsoluteUri.TrimEnd('/');
        _log = log ?? NullOperationLog.Instance;
        var pipeline = new HttpResilience("Stripe", resilience ?? new HttpResilienceOptions(), _log);
        var resilient = new HttpClient(new ResilientHandler(pipeline, http, addIdempotencyKey: true)) { Timeout = Timeout.InfiniteTimeSpan };
        try
        {
            _client = new StripeClient(new StripeClientOptions
            {
                ApiKey = apiKey.Reveal(),
                ApiBase = _apiBase,
                HttpClient = new SystemNetHttpClient(resilient, maxNetworkRetries: 0, new AppInfo { Name = "HotmessRecovery" }, enableTelemetry: false),
            });
        }
        catch (ArgumentException)
        {
            // Stripe.net quotes nothing of the key, but its wording is about the SDK; say what the user can fix.
            throw new HotmessException("StripeKeyMalformed", FailureKind.InvalidArgument,
                $"The Stripe key {apiKey.Masked} is not a key Stripe could accept (empty or containing whitespace).", apiKey.Masked);
        }
    }

    /// <summary>Proves the key with <c>GET /v1/balance</c>, which any secret key may read.</summary>
    public async Task<StripeKeyCheck> CheckKeyAsync(CancellationToken cancellationToken)
    {
        var balance = await CallAsync("GET /v1/balance", null,
            () => new BalanceService(_client).GetAsync(cancellationToken: cancellationToken)).ConfigureAwait(false);
        var currencies = (balance.Available ?? []).Select(a => a.Currency).Where(c => !string.IsNullOrEmpty(c)).Distinct().ToList();
        return new StripeKeyCheck(balance.Livemode, KindOf(_apiKey), currencies);
    }

    /// <summary>Every webhook endpoint of the account, following <c>has_more</c> with <c>starting_after</c>.</summary>
    public async Task<IReadOnlyList<StripeWebhookEndpoint>> ListWebhookEndpointsAsync(CancellationToken cancellationToken)
    {
        var service = new WebhookEndpointService(_client);
        var endpoints = new List<StripeWebhookEndpoint>();
        string? startingAfter = null;
        while (true)
        {
            var options = new WebhookEndpointListOptions { Limit = PageSize, StartingAfter = startingAfter };
            var page = await CallAsync("GET /v1/webhook_endpoints", null,
                () => service.ListAsync(options, cancellationToken: cancellationToken)).ConfigureAwait(false);
            endpoints.AddRange(page.Data.Select(ToEndpoint));
            if (!page.HasMore || page.Data.Count == 0)
            {
                return endpoints;
            }

            startingAfter = page.Data[^1].Id;
        }
    }

    /// <summary><c>POST /v1/webhook_endpoints/{id}</c> with only the fields the change sets.</summary>
    public async Task<StripeWebhookEndpoint> UpdateWebhookEndpointAsync(string id, StripeWebhookEndpointChange change, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        var options = new WebhookEndpointUpdateOptions
        {
            Url = change.Url?.AbsoluteUri,
            EnabledEvents = change.EnabledEvents?.ToList(),
            Disabled = change.Disabled,
            Description = change.Description,
        };
        var updated = await CallAsync($"POST /v1/webhook_endpoints/{id}", id,
            () => new WebhookEndpointService(_client).UpdateAsync(id, options, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return ToEndpoint(updated);
    }

    /// <summary>
    /// <c>POST /v1/webhook_endpoints</c>: a new endpoint, with the signing secret Stripe returns only here. The
    /// secret is handed back as a <see cref="Secret"/> and never logged.
    /// </summary>
    public async Task<(StripeWebhookEndpoint Endpoint, Secret SigningSecret)> CreateWebhookEndpointAsync(
        Uri url, IReadOnlyList<string> enabledEvents, string? description, CancellationToken cancellationToken)
    {
        var options = new WebhookEndpointCreateOptions { Url = url.AbsoluteUri, EnabledEvents = enabledEvents.ToList(), Description = description };
        var created = await CallAsync("POST /v1/webhook_endpoints", url.AbsoluteUri,
            () => new WebhookEndpointService(_client).CreateAsync(options, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var secret = Secret.FromNullable(created.Secret) ?? throw new HotmessException("StripeResponseInvalid", FailureKind.RemoteServiceFailed,
            $"Stripe created webhook endpoint {created.Id} but returned no signing secret.", created.Id);
        return (ToEndpoint(created), secret);
    }

    /// <summary><c>DELETE /v1/webhook_endpoints/{id}</c>.</summary>
    public async Task DeleteWebhookEndpointAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        await CallAsync($"DELETE /v1/webhook_endpoints/{id}", id,
            () => new WebhookEndpointService(_client).DeleteAsync(id, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /v1/payment_intents</c> with <c>confirm=true</c>: a payment with <paramref name="paymentMethod"/> (a test
    /// card such as <c>pm_card_visa</c>), without redirects. A decline (402 <c>card_error</c>) is an answer, not a
    /// failure: the attempt comes back with the PaymentIntent's status and the decline's words.
    /// </summary>
    public async Task<StripePaymentAttempt> CreateConfirmedPaymentAsync(
        long amount, string currency, string paymentMethod, string description, IReadOnlyDictionary<string, string> metadata, CancellationToken cancellationToken)
    {
        var options = new PaymentIntentCreateOptions
        {
            Amount = amount,
            Currency = currency,
            PaymentMethod = paymentMethod,
            Confirm = true,
            Description = description,
            Metadata = metadata.ToDictionary(),
            AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true, AllowRedirects = "never" },
        };
        try
        {
            var intent = await CallAsync("POST /v1/payment_intents", null,
                () => new PaymentIntentService(_client).CreateAsync(options, cancellationToken: cancellationToken)).ConfigureAwait(false);
            return new StripePaymentAttempt(intent.Id, intent.Status, intent.Livemode, null, intent.Created);
        }
        catch (HotmessException ex) when (ex.InnerException is StripeException { HttpStatusCode: HttpStatusCode.PaymentRequired } declined)
        {
            var error = declined.StripeError;
            var intent = error?.PaymentIntent;
            return new StripePaymentAttempt(intent?.Id, intent?.Status ?? "requires_payment_method", intent?.Livemode ?? false,
                $"{error?.Code ?? "card_error"}{(string.IsNullOrEmpty(error?.DeclineCode) ? "" : "/" + error.DeclineCode)}: {Redact(error?.Message ?? declined.Message)}",
                intent?.Created ?? default);
        }
    }

    /// <summary>
    /// The newest event of <paramref name="type"/> since <paramref name="since"/> about the object <paramref name="objectId"/>,
    /// with its <c>pending_webhooks</c>; null when Stripe has not recorded it (yet).
    /// </summary>
    public async Task<StripeEventSummary?> FindEventAsync(string type, string objectId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var service = new EventService(_client);
        string? startingAfter = null;
        while (true)
        {
            var options = new EventListOptions
            {
                Limit = PageSize,
                StartingAfter = startingAfter,
                Type = type,
                Created = new DateRangeOptions { GreaterThanOrEqual = since.UtcDateTime },
            };
            var page = await CallAsync("GET /v1/events", null, () => service.ListAsync(options, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var match = page.Data.FirstOrDefault(e => ObjectIdOf(e) == objectId);
            if (match is not null)
            {
                return new StripeEventSummary(match.Id, match.Type, match.PendingWebhooks, match.Livemode, match.Created);
            }

            if (!page.HasMore || page.Data.Count == 0)
            {
                return null;
            }

            startingAfter = page.Data[^1].Id;
        }
    }

    /// <summary>
    /// How many events were created since <paramref name="since"/>, and how many of them have a webhook not yet
    /// delivered (<c>delivery_success=false</c>: pending or failed on at least one endpoint).
    /// </summary>
    public async Task<StripeEventCounts> CountEventsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var all = await CountEventsAsync(since, null, cancellationToken).ConfigureAwait(false);
        var undelivered = await CountEventsAsync(since, false, cancellationToken).ConfigureAwait(false);
        return new StripeEventCounts(all, undelivered);
    }

    /// <summary>
    /// Payment attempts since <paramref name="since"/>, from the PaymentIntents created since then (the list has no
    /// status filter): one that succeeded, is processing or awaits capture went through; one with a
    /// <c>last_payment_error</c> that did not go through failed; the rest were never attempted.
    /// </summary>
    public async Task<StripePaymentCounts> CountPaymentsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var service = new PaymentIntentService(_client);
        int attempted = 0, failed = 0;
        string? startingAfter = null;
        while (true)
        {
            var options = new PaymentIntentListOptions { Limit = PageSize, StartingAfter = startingAfter, Created = new DateRangeOptions { GreaterThanOrEqual = since.UtcDateTime } };
            var page = await CallAsync("GET /v1/payment_intents", null,
                () => service.ListAsync(options, cancellationToken: cancellationToken)).ConfigureAwait(false);
            foreach (var intent in page.Data)
            {
                var through = intent.Status is "succeeded" or "processing" or "requires_capture";
                if (through)
                {
                    attempted++;
                }
                else if (intent.LastPaymentError is not null)
                {
                    attempted++;
                    failed++;
                }
            }

            if (!page.HasMore || page.Data.Count == 0)
            {
                return new StripePaymentCounts(attempted, failed);
            }

            startingAfter = page.Data[^1].Id;
        }
    }

    /// <summary><c>sk_live_…</c> / <c>sk_test_…</c> are secret keys, <c>rk_…</c> restricted ones.</summary>
    public static string KindOf(Secret key)
    {
        var value = key.Reveal();
        return value.StartsWith("sk_", StringComparison.Ordinal) ? "secret"
            : value.StartsWith("rk_", StringComparison.Ordinal) ? "restricted"
            : "unknown";
    }

    private async Task<int> CountEventsAsync(DateTimeOffset since, bool? deliverySuccess, CancellationToken cancellationToken)
    {
        var service = new EventService(_client);
        var count = 0;
        string? startingAfter = null;
        while (true)
        {
            var options = new EventListOptions
            {
                Limit = PageSize,
                StartingAfter = startingAfter,
                DeliverySuccess = deliverySuccess,
                Created = new DateRangeOptions { GreaterThanOrEqual = since.UtcDateTime },
            };
            var page = await CallAsync("GET /v1/events", null, () => service.ListAsync(options, cancellationToken: cancellationToken)).ConfigureAwait(false);
            count += page.Data.Count;
            if (!page.HasMore || page.Data.Count == 0)
            {
                return count;
            }

            startingAfter = page.Data[^1].Id;
        }
    }

    private async Task<T> CallAsync<T>(string operation, string? item, Func<Task<T>> call)
    {
        try
        {
            var result = await call().ConfigureAwait(false);
            _log.Verbose($"Stripe {operation} -> 200");
            return result;
        }
        catch (StripeException ex)
        {
            _log.Verbose($"Stripe {operation} -> {(int)ex.HttpStatusCode}");
            throw ToException(operation, item, ex);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("StripeUnreachable", FailureKind.ConnectionFailed,
                $"Stripe at '{_apiBase}' cannot be reached: {ex.Message}", _apiBase, ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw TimedOut(ex);
        }
    }

    private HotmessException ToException(string operation, string? item, StripeException ex)
    {
        var status = (int)ex.HttpStatusCode;
        var error = ex.StripeError;
        var detail = Redact(error?.Message ?? ex.Message);
        var code = error is null ? "" : $" {error.Type}{(string.IsNullOrEmpty(error.Code) ? "" : "/" + error.Code)}";
        var what = $"Stripe answered {operation} with {status}{code}: {detail}";
        if (ex.InnerException is HttpTimeoutException timeout)
        {
            return TimedOut(timeout);
        }

        if (ex.InnerException is HttpRequestException || status == 0)
        {
            return new HotmessException("StripeUnreachable", FailureKind.ConnectionFailed,
                $"Stripe at '{_apiBase}' cannot be reached: {detail}", _apiBase, ex);
        }

        return ex.HttpStatusCode switch
        {
            HttpStatusCode.Unauthorized => new HotmessException("StripeKeyInvalid", FailureKind.AuthenticationFailed,
                $"{what}. Stripe does not accept the key {_apiKey.Masked}.", _apiKey.Masked, ex),
            HttpStatusCode.Forbidden => new HotmessException("StripeKeyForbidden", FailureKind.PermissionDenied,
                $"{what}. The key {_apiKey.Masked} lacks the permission for this call.", _apiKey.Masked, ex),
            HttpStatusCode.NotFound => new HotmessException("StripeObjectNotFound", FailureKind.NotFound, what, item ?? operation, ex),
            HttpStatusCode.TooManyRequests => new HotmessException("StripeRateLimited", FailureKind.RateLimited, what, _apiBase, ex),
            HttpStatusCode.BadRequest => new HotmessException("StripeRequestInvalid", FailureKind.InvalidArgument, what, item ?? operation, ex),
            _ => new HotmessException("StripeServiceFailed", FailureKind.RemoteServiceFailed, what, _apiBase, ex),
        };
    }

    private HotmessException TimedOut(HttpTimeoutException ex) =>
        new("StripeTimeout", FailureKind.Timeout, $"Stripe at '{_apiBase}' did not answer: {ex.Message}.", _apiBase, ex);

    private string Redact(string text) => text.Replace(_apiKey.Reveal(), _apiKey.Masked, StringComparison.Ordinal);

    private static string? ObjectIdOf(Event e) =>
        e.Data?.Object is IHasId known ? known.Id : e.Data?.RawObject?["id"]?.ToString();

    private static StripeWebhookEndpoint ToEndpoint(WebhookEndpoint e) =>
        new(e.Id, e.Url, e.Status, e.EnabledEvents ?? [], e.Description, e.ApiVersion, e.Livemode);
}

/// <summary>A confirmed payment: its status, and the decline's code and words when the card was declined.</summary>
public sealed record StripePaymentAttempt(string? Id, string Status, bool Livemode, string? Declined, DateTime Created)
{
    public bool Succeeded => Status == "succeeded";
}

/// <summary>An event and how many of its webhooks are not yet delivered with a 2xx.</summary>
public sealed record StripeEventSummary(string Id, string Type, long PendingWebhooks, bool Livemode, DateTime Created);

/// <summary>What a key check found: live or test mode, the kind of key, and the balance's currencies.</summary>
public sealed record StripeKeyCheck(bool Livemode, string KeyKind, IReadOnlyList<string> Currencies);

/// <summary>Events in a window, and those whose webhooks were not all delivered.</summary>
public sealed record StripeEventCounts(int Total, int Undelivered);

/// <summary>Payments attempted in a window, and those that failed.</summary>
public sealed record StripePaymentCounts(int Attempted, int Failed);

/// <summary>A webhook endpoint; <see cref="Status"/> is <c>enabled</c> or <c>disabled</c>.</summary>
public sealed record StripeWebhookEndpoint(
    string Id, string Url, string Status, IReadOnlyList<string> EnabledEvents, string? Description, string? ApiVersion, bool Livemode)
{
    public bool Enabled => Status == "enabled";
}

/// <summary>The fields to change on a webhook endpoint; null leaves a field as it is.</summary>
public sealed record StripeWebhookEndpointChange
{
    public Uri? Url { get; init; }

    public IReadOnlyList<string>? EnabledEvents { get; init; }

    public bool? Disabled { get; init; }

    public string? Description { get; init; }
}
