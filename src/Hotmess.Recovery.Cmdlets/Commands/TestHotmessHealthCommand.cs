using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Runs the plan's health checks (site, database, payments, providers, backup, verification and drill freshness), one result per check.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessHealth")]
[OutputType(typeof(HealthCheckResult))]
public sealed class TestHotmessHealthCommand : HotmessCmdlet
{
    /// <summary>The checks to run; all nine when not given.</summary>
    [Parameter(Position = 0)]
    [ValidateSet(
        HealthCheckDefaults.Site, HealthCheckDefaults.DatabaseConnections, HealthCheckDefaults.DatabaseResources, HealthCheckDefaults.StripeWebhooks,
        HealthCheckDefaults.StripePayments, HealthCheckDefaults.Providers, HealthCheckDefaults.BackupFreshness, HealthCheckDefaults.VerificationFreshness,
        HealthCheckDefaults.DrillFreshness, IgnoreCase = true)]
    public string[]? Check { get; set; }

    /// <summary>The backup repository whose freshness is checked; the configuration, HOTMESS_REPOSITORY or ~/.hotmess/backups when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>The production database whose connections are counted; database.connectionString or HOTMESS_DATABASE_URL when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SecureStringAsText]
    public string? ConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The key that reads Supabase's metrics endpoint; SUPABASE_SERVICE_ROLE_KEY when not given.</summary>
    [Parameter]
    public SecureString? SupabaseServiceRoleKey { get; set; }

    /// <summary>The key that reads Stripe's events and payments; STRIPE_SECRET_KEY when not given.</summary>
    [Parameter]
    public SecureString? StripeSecretKey { get; set; }

    /// <summary>The file holding the passphrase of encrypted and offsite repositories; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var environment = System.Environment.GetEnvironmentVariables();
        var repository = ResolveRepository(Repository, configuration).Location;
        var targets = HealthTargets.Resolve(configuration, environment, repository, repositoryRequired: Repository is not null || configuration.Repository is not null);
        string? connectionString = null;
        if (ConnectionString is not null || configuration.Database.ConnectionString is not null)
        {
            Terminating(() => connectionString = DatabaseConnectionParameters.Resolve(ConnectionString, Credential, configuration, WriteWarning));
        }

        targets = targets with
        {
            DatabaseConnectionString = connectionString,
            SupabaseServiceRoleKey = ToSecret(SupabaseServiceRoleKey) ?? targets.SupabaseServiceRoleKey,
            StripeSecretKey = ToSecret(StripeSecretKey) ?? targets.StripeSecretKey,
            RepositoryKeyFile = RepositoryKeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(RepositoryKeyFile),
        };

        Terminating(() =>
        {
            var results = RunEngine(async (log, token) =>
            {
                // Each client's pipeline times its attempts; a whole-client timer would cut its retries short.
                using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                return await new HealthCheckEngine(configuration.Monitoring, targets, http, log).RunAsync(Check, token).ConfigureAwait(false);
            });
            foreach (var result in results)
            {
                WriteObject(result);
            }
        });
    }
}
