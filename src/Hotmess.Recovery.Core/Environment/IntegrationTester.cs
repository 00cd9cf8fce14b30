using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Resend;
using Hotmess.Recovery.Platform.Stripe;
using Hotmess.Recovery.Platform.Supabase;

namespace Hotmess.Recovery.Environments;

/// <summary>
/// The result of one check. A failure carries the same stable id and kind an error would; a key appears
/// only masked (<c>****abcd</c>) and only in <see cref="Target"/> and <see cref="Reason"/>.
/// </summary>
public sealed record IntegrationCheckResult(
    Integration Integration, string Check, bool Passed, string Reason, string? Target, string? ErrorId, FailureKind? FailureKind, TimeSpan Duration);

/// <summary>
/// Procedure 3's "test all integrations": each key against its service, and the Stripe webhook endpoint against
/// the platform's URL. A check that cannot run (a key not set, a service rate limiting or down) is a failed result
/// with its reason, never an exception, so one broken integration never hides the others.
/// </summary>
public sealed class IntegrationTester(HttpClient http, IntegrationSettings settings, IOperationLog log)
{
    private IReadOnlyList<SupabaseApiKey>? _projectKeys;

    public async Task<IReadOnlyList<IntegrationCheckResult>> TestAsync(IReadOnlyCollection<Integration> integrations, CancellationToken cancellationToken)
    {
        var results = new List<IntegrationCheckResult>();
        if (integrations.Contains(Integration.Supabase))
        {
            results.Add(await RunAsync(Integration.Supabase, "AnonKey", settings.SupabaseAnonKey?.Masked, ct => CheckSupabaseKeyAsync(anon: true, ct), cancellationToken).ConfigureAwait(false));
            results.Add(await RunAsync(Integration.Supabase, "ServiceRoleKey", settings.SupabaseServiceRoleKey?.Masked, ct => CheckSupabaseKeyAsync(anon: false, ct), cancellationToken).ConfigureAwait(false));
            if (settings.SupabaseAccessToken is null)
            {
                log.Verbose("Supabase project health is not checked: SUPABASE_ACCESS_TOKEN is not set.");
            }
            else
            {
                results.Add(await RunAsync(Integration.Supabase, "Project", settings.SupabaseProjectRef, CheckSupabaseProjectAsync, cancellationToken).ConfigureAwait(false));
            }
        }

        if (integrations.Contains(Integration.Stripe))
        {
            results.Add(await RunAsync(Integration.Stripe, "SecretKey", settings.StripeSecretKey?.Masked, CheckStripeKeyAsync, cancellationToken).ConfigureAwait(false));
            results.Add(await RunAsync(Integration.Stripe, "WebhookEndpoint", settings.SiteUrl, CheckStripeWebhookAsync, cancellationToken).ConfigureAwait(false));
        }

        if (integrations.Contains(Integration.Resend))
        {
            results.Add(await RunAsync(Integration.Resend, "ApiKey", settings.ResendApiKey?.Masked, CheckResendKeyAsync, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<IntegrationCheckResult> RunAsync(
        Integration integration, string check, string? target, Func<CancellationToken, Task<string>> run, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var reason = await run(cancellationToken).ConfigureAwait(false);
            log.Verbose($"{integration} {check}: passed ({reason}).");
            return new IntegrationCheckResult(integration, check, true, reason, target, null, null, watch.Elapsed);
        }
        catch (HotmessException ex)
        {
            log.Verbose($"{integration} {check}: failed [{ex.ErrorId}] {ex.Message}");
            return new IntegrationCheckResult(integration, check, false, ex.Message, target, ex.ErrorId, ex.Kind, watch.Elapsed);
        }
    }

    private async Task<string> CheckSupabaseKeyAsync(bool anon, CancellationToken cancellationToken)
    {
        var name = anon ? "VITE_SUPABASE_ANON_KEY" : "SUPABASE_SERVICE_ROLE_KEY";
        var key = (anon ? settings.SupabaseAnonKey : settings.SupabaseServiceRoleKey) ?? throw Missing(name, "Supabase");
        var url = RequireUrl(settings.SupabaseUrl, "VITE_SUPABASE_URL", "Supabase");
        var client = new SupabaseProjectClient(http, url, log);
        var check = anon
            ? await client.CheckAnonKeyAsync(key, cancellationToken).ConfigureAwait(false)
            : await client.CheckServiceRoleKeyAsync(key, cancellationToken).ConfigureAwait(false);
        var reason = $"{key.Masked} is {SupabaseKeys.Describe(check.Form)}; {check.Detail}";
        if (settings.SupabaseAccessToken is null)
        {
            return reason;
        }

        // With a Management token, also prove it is one of the project's current keys for that role: after a
        // rotation, an old key that still works somewhere is exactly what must not stay in the environment.
        var role = anon ? "anon" : "service_role";
        IReadOnlyList<SupabaseApiKey> current;
        try
        {
            current = await ProjectKeysAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HotmessException ex)
        {
            // The key itself worked; the Management API's own trouble is the Project check's to report.
            return reason + $"; not compared with the project's current keys ({ex.ErrorId})";
        }

        var sameRole = current.Where(k => k.Role == role && k.ApiKey is not null).ToList();
        if (sameRole.Count == 0)
        {
            return reason + $"; the Management API did not reveal the project's {role} keys to compare";
        }

        var match = sameRole.FirstOrDefault(k => SameSecret(k.ApiKey!, key));
        return match is not null
            ? reason + $"; it is the project's current '{match.Name}' key"
            : throw new HotmessException("SupabaseKeyNotCurrent", FailureKind.AuthenticationFailed,
                $"{name} ({key.Masked}) is not among project {settings.SupabaseProjectRef}'s current {role} keys ({string.Join(", ", sameRole.Select(k => k.Name))}); was it rotated?",
                key.Masked);
    }

    private async Task<string> CheckSupabaseProjectAsync(CancellationToken cancellationToken)
    {
        var client = ManagementClient();
        var project = await client.GetProjectAsync(cancellationToken).ConfigureAwait(false);
        var health = await client.GetHealthAsync(["db", "auth", "rest", "storage"], TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        var unhealthy = health.Where(h => h.Status != "ACTIVE_HEALTHY").ToList();
        var summary = $"project '{project.Name}' ({project.Ref}) is {project.Status}; " +
                      string.Join(", ", health.Select(h => $"{h.Name} {h.Status}{(h.Error is null ? "" : $" ({h.Error})")}"));
        return project.IsHealthy && unhealthy.Count == 0
            ? summary
            : throw new HotmessException("SupabaseProjectUnhealthy", FailureKind.RemoteServiceFailed, "Supabase " + summary, project.Ref);
    }

    private async Task<string> CheckStripeKeyAsync(CancellationToken cancellationToken)
    {
        var key = settings.StripeSecretKey ?? throw Missing("STRIPE_SECRET_KEY", "Stripe");
        var check = await StripeClient(key).CheckKeyAsync(cancellationToken).ConfigureAwait(false);
        return $"Stripe accepted the {check.KeyKind} key {key.Masked} ({(check.Livemode ? "live" : "test")} mode" +
               (check.Currencies.Count > 0 ? $", balance in {string.Join(", ", check.Currencies)})" : ")");
    }

    private async Task<string> CheckStripeWebhookAsync(CancellationToken cancellationToken)
    {
        var key = settings.StripeSecretKey ?? throw Missing("STRIPE_SECRET_KEY", "Stripe");
        var site = RequireUrl(settings.SiteUrl, "HOTMESS_SITE_URL", "the platform");
        var endpoints = await StripeClient(key).ListWebhookEndpointsAsync(cancellationToken).ConfigureAwait(false);
        var ours = endpoints.Where(e => PointsUnder(e.Url, site)).ToList();
        if (ours.FirstOrDefault(e => e.Enabled) is { } enabled)
        {
            return $"webhook endpoint {enabled.Id} points at {enabled.Url} and is enabled ({enabled.EnabledEvents.Count} event types)";
        }

        if (ours.Count > 0)
        {
            throw new HotmessException("StripeWebhookEndpointDisabled", FailureKind.InvalidOperation,
                $"Stripe's webhook endpoint{(ours.Count > 1 ? "s" : "")} for {site} ({string.Join(", ", ours.Select(e => $"{e.Id} → {e.Url}"))}) {(ours.Count > 1 ? "are" : "is")} disabled: Stripe sends the platform no events.",
                ours[0].Id);
        }

        var others = endpoints.Count == 0 ? "the account has none" : "found " + string.Join(", ", endpoints.Take(5).Select(e => $"{e.Id} → {e.Url} ({e.Status})"));
        throw new HotmessException("StripeWebhookEndpointMissing", FailureKind.NotFound,
            $"No Stripe webhook endpoint points at {site} ({others}).", site.ToString());
    }

    private async Task<string> CheckResendKeyAsync(CancellationToken cancellationToken)
    {
        var key = settings.ResendApiKey ?? throw Missing("RESEND_API_KEY", "Resend");
        var client = new ResendClient(http, RequireUrl(settings.ResendApiUrl, "RESEND_API_URL", "Resend"), key, log);
        var check = await client.CheckKeyAsync(cancellationToken).ConfigureAwait(false);
        if (!check.FullAccess)
        {
            return $"Resend accepted the key {key.Masked} (sending access only)";
        }

        var domains = check.Domains.Count == 0 ? "no domains" : string.Join(", ", check.Domains.Select(d => $"{d.Name} ({d.Status})"));
        return $"Resend accepted the key {key.Masked} (full access; {domains})";
    }

    private StripeAccountClient StripeClient(Secret key) =>
        new(http, RequireUrl(settings.StripeApiUrl, "STRIPE_API_URL", "Stripe"), key, log);

    private SupabaseManagementClient ManagementClient() =>
        new(http, RequireUrl(settings.SupabaseManagementUrl, "SUPABASE_MANAGEMENT_URL", "the Supabase Management API"),
            settings.SupabaseAccessToken!, settings.SupabaseProjectRef ?? throw Missing("SUPABASE_PROJECT_REF", "the Supabase Management API"), log);

    private async Task<IReadOnlyList<SupabaseApiKey>> ProjectKeysAsync(CancellationToken cancellationToken) =>
        _projectKeys ??= await ManagementClient().GetApiKeysAsync(reveal: true, cancellationToken).ConfigureAwait(false);

    /// <summary>Same scheme and host, and a path at or under the site's path.</summary>
    internal static bool PointsUnder(string endpointUrl, Uri site)
    {
        if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out var endpoint))
        {
            return false;
        }

        var sitePath = site.AbsolutePath.TrimEnd('/') + "/";
        return endpoint.Scheme == site.Scheme
               && string.Equals(endpoint.IdnHost, site.IdnHost, StringComparison.OrdinalIgnoreCase)
               && endpoint.Port == site.Port
               && (endpoint.AbsolutePath + "/").StartsWith(sitePath, StringComparison.Ordinal);
    }

    private static bool SameSecret(Secret a, Secret b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a.Reveal()), Encoding.UTF8.GetBytes(b.Reveal()));

    private static Uri RequireUrl(string? url, string variable, string service) =>
        PlatformHttp.TryParse(url) ?? throw new HotmessException("IntegrationSettingMissing", FailureKind.InvalidArgument,
            url is null ? $"No URL for {service}: set {variable}." : $"The URL for {service} ('{url}', {variable}) is not an absolute http(s) URL.", variable);

    private static HotmessException Missing(string variable, string service) =>
        new("IntegrationSettingMissing", FailureKind.InvalidArgument,
            $"{variable} is not set, so {service} cannot be tested: set the environment variable (or Automation variable) or pass it as a parameter.", variable);
}
