using System.Collections;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;

namespace Hotmess.Recovery.Environments;

/// <summary>The integrations <c>Test-HotmessIntegration</c> knows.</summary>
public enum Integration
{
    Supabase,
    Stripe,
    Resend,
}

/// <summary>
/// Where each integration lives and the keys to test, resolved as everywhere else: explicit values first,
/// then the configuration file, then the plan's environment variables.
/// </summary>
public sealed partial record IntegrationSettings
{
    public string? SupabaseUrl { get; init; }

    public Secret? SupabaseAnonKey { get; init; }

    public Secret? SupabaseServiceRoleKey { get; init; }

    public string? SupabaseManagementUrl { get; init; }

    public Secret? SupabaseAccessToken { get; init; }

    public string? SupabaseProjectRef { get; init; }

    public string? StripeApiUrl { get; init; }

    public Secret? StripeSecretKey { get; init; }

    public string? ResendApiUrl { get; init; }

    public Secret? ResendApiKey { get; init; }

    /// <summary>The platform's own URL: the Stripe webhook endpoint must point under it.</summary>
    public string? SiteUrl { get; init; }

    /// <summary>Fills what <paramref name="explicitValues"/> leaves open from the configuration and the environment.</summary>
    public static IntegrationSettings Resolve(HotmessConfiguration configuration, IDictionary environment, IntegrationSettings? explicitValues = null)
    {
        var given = explicitValues ?? new IntegrationSettings();
        var platform = configuration.Platform;
        var supabaseUrl = given.SupabaseUrl ?? configuration.Storage.SupabaseUrl;
        return new IntegrationSettings
        {
            SupabaseUrl = supabaseUrl,
            SupabaseAnonKey = given.SupabaseAnonKey ?? ConfigurationLoader.GetSecret(environment, "VITE_SUPABASE_ANON_KEY"),
            SupabaseServiceRoleKey = given.SupabaseServiceRoleKey ?? ConfigurationLoader.GetSecret(environment, "SUPABASE_SERVICE_ROLE_KEY"),
            SupabaseManagementUrl = given.SupabaseManagementUrl ?? platform.SupabaseManagementUrl,
            SupabaseAccessToken = given.SupabaseAccessToken ?? ConfigurationLoader.GetSecret(environment, "SUPABASE_ACCESS_TOKEN"),
            SupabaseProjectRef = given.SupabaseProjectRef ?? platform.SupabaseProjectRef ?? ProjectRefFromUrl(supabaseUrl),
            StripeApiUrl = given.StripeApiUrl ?? platform.StripeApiUrl,
            StripeSecretKey = given.StripeSecretKey ?? ConfigurationLoader.GetSecret(environment, "STRIPE_SECRET_KEY"),
            ResendApiUrl = given.ResendApiUrl ?? platform.ResendApiUrl,
            ResendApiKey = given.ResendApiKey ?? ConfigurationLoader.GetSecret(environment, "RESEND_API_KEY"),
            SiteUrl = given.SiteUrl ?? platform.SiteUrl,
        };
    }

    /// <summary>A hosted project's URL names its ref: <c>https://&lt;ref&gt;.supabase.co</c>.</summary>
    private static string? ProjectRefFromUrl(string? url) =>
        PlatformHttp.TryParse(url) is { } uri && HostedProjectHost().Match(uri.Host) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex("^([a-z]{20})\\.supabase\\.co$")]
    private static partial Regex HostedProjectHost();
}
