using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Platform.Stripe;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Integrations;

/// <summary>What to sync: the URL and events wanted (null: from the configuration, else the existing endpoint).</summary>
public sealed record WebhookEndpointSyncRequest
{
    public Uri? Url { get; init; }

    public IReadOnlyList<string>? EnabledEvents { get; init; }

    public StripeSettings Configuration { get; init; } = new();

    /// <summary>The platform's URL: with no URL given or configured, the one endpoint under it is the site's.</summary>
    public Uri? SiteUrl { get; init; }

    /// <summary>Recreate the endpoint even when Vercel holds a secret (e.g. deliveries fail on a wrong one).</summary>
    public bool RenewSecret { get; init; }
}

/// <summary>What a sync would do, decided before anything changes (so -WhatIf can say it).</summary>
public sealed record WebhookEndpointPlan
{
    public required Uri Url { get; init; }

    public required IReadOnlyList<string> Events { get; init; }

    public required string EventsSource { get; init; }

    /// <summary>The endpoint kept (enabled first, else the newest) at the URL; null when there is none.</summary>
    public StripeWebhookEndpoint? Current { get; init; }

    /// <summary>Every endpoint at the URL, <see cref="Current"/> included.</summary>
    public required IReadOnlyList<StripeWebhookEndpoint> AtUrl { get; init; }

    public required WebhookEndpointAction Action { get; init; }

    public bool Recreate => Action == WebhookEndpointAction.Created;

    public bool Enable { get; init; }

    public bool UpdateEvents { get; init; }

    /// <summary>The Vercel entries of the secret variable as they are (their types and targets are kept when rewritten).</summary>
    public required IReadOnlyList<StoredVariable> SecretVariables { get; init; }

    public required string Reason { get; init; }
}

/// <summary>
/// Makes the site's Stripe webhook endpoint exist, enabled, listening to the events it listened to before, with its
/// signing secret in Vercel (<c>STRIPE_WEBHOOK_SECRET</c>). Stripe reveals a signing secret only when it creates an
/// endpoint, so an endpoint whose secret Vercel lacks (or when told to renew it) is recreated: the new one first,
/// then its secret written to Vercel, then the old ones at that URL deleted; if Vercel refuses the secret, the new
/// endpoint is deleted again and the old ones are left as they were.
/// </summary>
public sealed class WebhookEndpointSync(StripeAccountClient stripe, IEnvironmentVariableStore secrets, IOperationLog log)
{
    public const string SecretName = "STRIPE_WEBHOOK_SECRET";
    public const string Description = "HOTMESS site (kept by HotmessRecovery)";

    public async Task<WebhookEndpointPlan> PlanAsync(WebhookEndpointSyncRequest request, CancellationToken cancellationToken)
    {
        var endpoints = await stripe.ListWebhookEndpointsAsync(cancellationToken).ConfigureAwait(false);
        var url = ResolveUrl(request, endpoints);
        var atUrl = endpoints.Where(e => SameUrl(e.Url, url)).ToList();
        var current = atUrl.FirstOrDefault(e => e.Enabled) ?? atUrl.FirstOrDefault();
        var (events, source) = ResolveEvents(request, current, url);
        log.Verbose($"Stripe webhook endpoint {url}: {(current is null ? "none" : $"{current.Id} ({current.Status})")}; events from {source}: {string.Join(", ", events)}.");
        if (atUrl.Count > 1)
        {
            log.Warning($"Stripe has {atUrl.Count} webhook endpoints at {url} ({string.Join(", ", atUrl.Select(e => e.Id))}): the site receives each event more than once.");
        }

        var stored = (await secrets.ReadAllAsync(log, cancellationToken).ConfigureAwait(false)).Where(v => v.Name == SecretName).ToList();
        var inProduction = stored.Any(v => v.Targets.Contains(EnvironmentTargets.Production));
        var plan = new WebhookEndpointPlan
        {
            Url = url,
            Events = events,
            EventsSource = source,
            Current = current,
            AtUrl = atUrl,
            SecretVariables = stored,
            Action = WebhookEndpointAction.Unchanged,
            Reason = "",
        };
        if (current is null)
        {
            return plan with { Action = WebhookEndpointAction.Created, Reason = $"no webhook endpoint at {url}: create it and write its signing secret to {SecretName}" };
        }

        if (!inProduction || request.RenewSecret)
        {
            var why = request.RenewSecret ? "a new signing secret was asked for" : $"Vercel has no {SecretName} for production";
            return plan with
            {
                Action = WebhookEndpointAction.Created,
                Reason = $"{why}, and Stripe reveals a secret only to a new endpoint: create one at {url}, write its secret to {SecretName}, delete {string.Join(", ", atUrl.Select(e => e.Id))}",
            };
        }

        var enable = !current.Enabled;
        var updateEvents = !SameEvents(current.EnabledEvents, events);
        var changes = new List<string>();
        if (enable)
        {
            changes.Add($"enable {current.Id}");
        }

        if (updateEvents)
        {
            changes.Add($"set its events to {string.Join(", ", events)} (were {string.Join(", ", current.EnabledEvents)})");
        }

        return plan with
        {
            Enable = enable,
            UpdateEvents = updateEvents,
            Action = enable ? WebhookEndpointAction.Enabled : updateEvents ? WebhookEndpointAction.EventsUpdated : WebhookEndpointAction.Unchanged,
            Reason = changes.Count == 0 ? $"{current.Id} at {url} is enabled with the wanted events, and Vercel holds {SecretName}" : string.Join("; ", changes),
        };
    }

    public async Task<WebhookEndpointSyncResult> ApplyAsync(WebhookEndpointPlan plan, CancellationToken cancellationToken)
    {
        if (plan.Recreate)
        {
            return await RecreateAsync(plan, cancellationToken).ConfigureAwait(false);
        }

        var endpoint = plan.Current!;
        if (plan.Enable || plan.UpdateEvents)
        {
            endpoint = await stripe.UpdateWebhookEndpointAsync(endpoint.Id, new StripeWebhookEndpointChange
            {
                Disabled = plan.Enable ? false : null,
                EnabledEvents = plan.UpdateEvents ? plan.Events : null,
            }, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Stripe webhook endpoint {endpoint.Id}: {plan.Reason}.");
        }

        return Result(endpoint, plan, secretChanged: false, removed: []);
    }

    private async Task<WebhookEndpointSyncResult> RecreateAsync(WebhookEndpointPlan plan, CancellationToken cancellationToken)
    {
        var (created, secret) = await stripe.CreateWebhookEndpointAsync(plan.Url, plan.Events, Description, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Stripe created webhook endpoint {created.Id} at {created.Url}.");
        try
        {
            await secrets.WriteAsync(SecretEntries(plan.SecretVariables, secret), cancellationToken).ConfigureAwait(false);
        }
        catch (HotmessException ex)
        {
            // Without its secret in Vercel the new endpoint's deliveries would all fail: take it back, leave the old.
            await stripe.DeleteWebhookEndpointAsync(created.Id, CancellationToken.None).ConfigureAwait(false);
            throw new HotmessException("WebhookSecretNotSaved", ex.Kind,
                $"The new Stripe webhook endpoint's signing secret could not be written to {SecretName} in {secrets.Kind} project '{secrets.Project}' ({ex.Message}); "
                + $"the new endpoint {created.Id} was deleted again and the existing ones left as they were.", SecretName, ex);
        }

        log.Verbose($"{SecretName} written to {secrets.Kind} project '{secrets.Project}'; redeploy for the site to use it.");
        var removed = new List<string>();
        foreach (var old in plan.AtUrl)
        {
            await stripe.DeleteWebhookEndpointAsync(old.Id, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Stripe webhook endpoint {old.Id} deleted: replaced by {created.Id}.");
            removed.Add(old.Id);
        }

        return Result(created, plan, secretChanged: true, removed);
    }

    /// <summary>The secret for every Vercel entry it had (same type, same targets), or one encrypted entry for production and preview.</summary>
    internal static IReadOnlyList<StoredVariable> SecretEntries(IReadOnlyList<StoredVariable> existing, Secret secret) =>
        existing.Count == 0
            ? [new StoredVariable(SecretName, secret, EnvironmentVariableTypes.Encrypted, [EnvironmentTargets.Production, EnvironmentTargets.Preview])]
            : existing.Select(v => v with
            {
                Value = secret,
                Type = v.Type == EnvironmentVariableTypes.Sensitive ? EnvironmentVariableTypes.Sensitive : EnvironmentVariableTypes.Encrypted,
            }).ToList();

    private static WebhookEndpointSyncResult Result(StripeWebhookEndpoint endpoint, WebhookEndpointPlan plan, bool secretChanged, IReadOnlyList<string> removed) => new()
    {
        Id = endpoint.Id,
        Url = endpoint.Url,
        Status = endpoint.Status,
        EnabledEvents = endpoint.EnabledEvents,
        Action = plan.Action,
        SecretChanged = secretChanged,
        EventsSource = plan.EventsSource,
        Detail = plan.Reason,
        Removed = removed,
    };

    private static Uri ResolveUrl(WebhookEndpointSyncRequest request, IReadOnlyList<StripeWebhookEndpoint> endpoints)
    {
        if (request.Url is { } given)
        {
            return given;
        }

        if (request.Configuration.WebhookUrl is { Length: > 0 } configured)
        {
            return Uri.TryCreate(configured, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"
                ? uri
                : throw new HotmessException("ConfigurationInvalid", FailureKind.InvalidData,
                    $"stripe.webhookUrl '{configured}' is not an http(s) URL.", "stripe.webhookUrl");
        }

        var underSite = request.SiteUrl is { } site
            ? endpoints.Where(e => IntegrationTester.PointsUnder(e.Url, site)).Select(e => e.Url).Distinct(StringComparer.OrdinalIgnoreCase).ToList()
            : [];
        if (underSite.Count == 1)
        {
            return new Uri(underSite[0]);
        }

        var seen = underSite.Count > 1 ? $"several endpoints point under {request.SiteUrl}: {string.Join(", ", underSite)}"
            : endpoints.Count == 0 ? "the account has no endpoint" : $"none of the account's {endpoints.Count} endpoints points under {request.SiteUrl}";
        throw new HotmessException("WebhookUrlUnknown", FailureKind.InvalidArgument,
            $"Which URL the Stripe webhook endpoint must have is not known ({seen}): give -Url or set stripe.webhookUrl in the configuration.", request.SiteUrl?.ToString());
    }

    private static (IReadOnlyList<string> Events, string Source) ResolveEvents(WebhookEndpointSyncRequest request, StripeWebhookEndpoint? current, Uri url)
    {
        if (request.EnabledEvents is { Count: > 0 } given)
        {
            return (Distinct(given), "Parameter");
        }

        if (request.Configuration.WebhookEvents is { Count: > 0 } configured)
        {
            return (Distinct(configured), "Configuration");
        }

        if (current is { EnabledEvents.Count: > 0 })
        {
            return (current.EnabledEvents, "Endpoint");
        }

        throw new HotmessException("WebhookEventsUnknown", FailureKind.InvalidArgument,
            $"Stripe has no webhook endpoint at {url} to take its events from, and none are given: pass -EnabledEvent or set stripe.webhookEvents in the configuration.",
            url.ToString());
    }

    private static List<string> Distinct(IEnumerable<string> events) =>
        events.Select(e => e.Trim()).Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    private static bool SameEvents(IReadOnlyList<string> a, IReadOnlyList<string> b) => a.ToHashSet(StringComparer.Ordinal).SetEquals(b);

    private static bool SameUrl(string endpointUrl, Uri url) =>
        Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri)
        && Uri.Compare(uri, url, UriComponents.SchemeAndServer | UriComponents.Path | UriComponents.Query, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        || string.Equals(endpointUrl.TrimEnd('/'), url.AbsoluteUri.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);
}
