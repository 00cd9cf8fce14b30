using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using IntegrationKind = Hotmess.Recovery.Environments.Integration;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Tests the platform's integrations: the Supabase keys, the Stripe key and webhook endpoint, and the Resend key.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessIntegration")]
[OutputType(typeof(IntegrationCheckResult))]
public sealed class TestHotmessIntegrationCommand : HotmessCmdlet
{
    /// <summary>The integrations to test; all when not given.</summary>
    [Parameter(Position = 0)]
    public IntegrationKind[]? Integration { get; set; }

    /// <summary>The Supabase project URL; VITE_SUPABASE_URL when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SupabaseUrl { get; set; }

    /// <summary>The anon key; VITE_SUPABASE_ANON_KEY when not given.</summary>
    [Parameter]
    public SecureString? SupabaseAnonKey { get; set; }

    /// <summary>The service-role key; SUPABASE_SERVICE_ROLE_KEY when not given.</summary>
    [Parameter]
    public SecureString? SupabaseServiceRoleKey { get; set; }

    /// <summary>A Supabase Management API token; SUPABASE_ACCESS_TOKEN when not given. Without one the project's health is not checked.</summary>
    [Parameter]
    public SecureString? SupabaseAccessToken { get; set; }

    /// <summary>The Supabase project ref; the configuration, SUPABASE_PROJECT_REF, or the hosted project URL when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SupabaseProjectRef { get; set; }

    /// <summary>The Stripe secret key; STRIPE_SECRET_KEY when not given.</summary>
    [Parameter]
    public SecureString? StripeSecretKey { get; set; }

    /// <summary>The Resend API key; RESEND_API_KEY when not given.</summary>
    [Parameter]
    public SecureString? ResendApiKey { get; set; }

    /// <summary>The platform's URL the Stripe webhook endpoint must point under; HOTMESS_SITE_URL or https://hotmess.london when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SiteUrl { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var settings = IntegrationSettings.Resolve(configuration, System.Environment.GetEnvironmentVariables(), new IntegrationSettings
        {
            SupabaseUrl = SupabaseUrl,
            SupabaseAnonKey = ToSecret(SupabaseAnonKey),
            SupabaseServiceRoleKey = ToSecret(SupabaseServiceRoleKey),
            SupabaseAccessToken = ToSecret(SupabaseAccessToken),
            SupabaseProjectRef = SupabaseProjectRef,
            StripeSecretKey = ToSecret(StripeSecretKey),
            ResendApiKey = ToSecret(ResendApiKey),
            SiteUrl = SiteUrl,
        });
        var integrations = Integration?.Distinct().ToArray() ?? Enum.GetValues<IntegrationKind>();
        Terminating(() =>
        {
            var results = RunEngine(async (log, token) =>
            {
                // Each client's pipeline times its attempts; a whole-client timer would cut its retries short.
                using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                return await new IntegrationTester(http, settings, log).TestAsync(integrations, token).ConfigureAwait(false);
            });
            foreach (var result in results)
            {
                WriteObject(result);
            }
        });
    }
}
