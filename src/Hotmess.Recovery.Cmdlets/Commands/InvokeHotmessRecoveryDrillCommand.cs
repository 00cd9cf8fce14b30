using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Runs a recovery drill against non-production targets: simulates the failure, recovers with the real procedure's engines, measures RTO and RPO against the objectives and keeps the record.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HotmessRecoveryDrill", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(DrillRecord))]
public sealed class InvokeHotmessRecoveryDrillCommand : HotmessCmdlet
{
    /// <summary>The failure to rehearse. PlatformRecovery (Procedure 4) has no runbook yet and is not offered.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public DrillScenario Scenario { get; set; }

    /// <summary>The repository: where a database drill finds its verified set, and where every drill is kept.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>DatabaseRestore: a database that does not exist yet, on a non-production server; drills.scratchConnectionString when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchConnectionString { get; set; }

    /// <summary>StorageRestore: put before every bucket id of the set to name the scratch buckets, which must not exist yet; drills.scratchBucketPrefix when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ScratchBucketPrefix { get; set; }

    /// <summary>StorageRestore: the Supabase project to restore the scratch buckets into; drills.supabaseUrl, storage.supabaseUrl or VITE_SUPABASE_URL when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SupabaseUrl { get; set; }

    /// <summary>StorageRestore: the service-role key of that project; SUPABASE_SERVICE_ROLE_KEY when not given.</summary>
    [Parameter]
    public SecureString? ServiceRoleKey { get; set; }

    /// <summary>ApplicationRollback and CredentialRecovery: the Vercel project to work on, never the production one; drills.vercelProjectId when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VercelProjectId { get; set; }

    /// <summary>ApplicationRollback: the drill project's site, whose /api/health proves the service is back; drills.siteUrl when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SiteUrl { get; set; }

    /// <summary>CredentialRecovery: the credentials to declare compromised; their replacement values are read from the variables of the same names. drills.secretNames when not given.</summary>
    [Parameter]
    [ValidateSet("VITE_SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "RESEND_API_KEY")]
    public string[]? SecretName { get; set; }

    /// <summary>CredentialRecovery: how long the redeployment of the drill project may take to be READY.</summary>
    [Parameter]
    public TimeSpan RedeployTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>ApplicationRollback and CredentialRecovery: a Vercel token for the drill project; VERCEL_TOKEN when not given.</summary>
    [Parameter]
    public SecureString? Token { get; set; }

    /// <summary>ApplicationRollback: how long the site may take to answer healthy after the rollback.</summary>
    [Parameter]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Replaces the RTO objective of the plan's table (and of drills.objectives).</summary>
    [Parameter]
    public TimeSpan? RtoObjective { get; set; }

    /// <summary>Replaces the RPO objective of the plan's table (and of drills.objectives).</summary>
    [Parameter]
    public TimeSpan? RpoObjective { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int? Jobs { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var objectives = DrillObjectives.For(Scenario, configuration).With(RtoObjective, RpoObjective);
        var repositoryPath = ResolveRepositoryPath(Repository, configuration);
        BackupRepository repository = null!;
        IDrillScenario scenario = null!;
        Terminating(() =>
        {
            // A database drill needs the repository's verified sets; the others only keep their record in it.
            repository = Scenario is DrillScenario.DatabaseRestore or DrillScenario.StorageRestore
                ? BackupRepository.Open(repositoryPath)
                : BackupRepository.OpenOrCreate(repositoryPath);
            scenario = CreateScenario(repository, configuration);
            scenario.Validate();
        });

        var rpo = objectives.Rpo is { } o ? DrillText.Duration(o) : "none (case-dependent)";
        var plan = string.Join(Environment.NewLine, scenario.Plan.Select((step, i) => $"  {i + 1}. {step}"));
        var action = $"Run the {Scenario} drill (RTO objective {DrillText.Duration(objectives.Rto)}, RPO objective {rpo}, from {objectives.Source}):{Environment.NewLine}{plan}{Environment.NewLine}";
        if (!ShouldProcess(scenario.Target, action))
        {
            return;
        }

        DrillRecord record = null!;
        Terminating(() => record = RunEngine((log, token) => DrillEngine.RunAsync(scenario, objectives, repository, log, token)));
        if (!record.Passed)
        {
            WriteWarning($"The {Scenario} drill {record.Id} failed: {string.Join(" ", record.Findings)} Report: {record.ReportPath}");
        }

        WriteObject(record);
    }

    private string DrillProject(HotmessConfiguration configuration) =>
        VercelProjectId ?? configuration.Drills.VercelProjectId
        ?? throw new HotmessException("DrillProjectMissing", FailureKind.InvalidArgument,
            $"A {Scenario} drill needs a Vercel project that is not production: pass -VercelProjectId or set drills.vercelProjectId.", "VercelProjectId");

    private IDrillScenario CreateScenario(BackupRepository repository, HotmessConfiguration configuration)
    {
        var environment = System.Environment.GetEnvironmentVariables();
        switch (Scenario)
        {
            case DrillScenario.DatabaseRestore:
                var scratch = ScratchConnectionString ?? configuration.Drills.ScratchConnectionString
                    ?? throw new HotmessException("DrillScratchDatabaseMissing", FailureKind.InvalidArgument,
                        "A database drill needs a scratch database that does not exist yet: pass -ScratchConnectionString or set drills.scratchConnectionString.", "ScratchConnectionString");
                return new DatabaseRestoreDrill(repository, scratch, configuration.Database.ConnectionString, Jobs ?? configuration.Database.Jobs);

            case DrillScenario.StorageRestore:
                var (url, key) = ClientSettings.Storage(SupabaseUrl ?? configuration.Drills.SupabaseUrl, ToSecret(ServiceRoleKey), configuration, environment);
                return new StorageRestoreDrill(repository, url, key, ScratchBucketPrefix ?? configuration.Drills.ScratchBucketPrefix,
                    configuration.Storage.ThrottleLimit ?? Storage.StorageRestoreRequest.DefaultThrottleLimit);

            case DrillScenario.CredentialRecovery:
                return new CredentialRecoveryDrill(
                    ClientSettings.Vercel(configuration, environment, ToSecret(Token), DrillProject(configuration)),
                    configuration.Platform.VercelProjectId ?? environment["VERCEL_PROJECT_ID"] as string,
                    Environments.IntegrationSettings.Resolve(configuration, environment),
                    SecretName ?? configuration.Drills.SecretNames.ToArray(), environment, RedeployTimeout);

            case DrillScenario.ApplicationRollback:
                var project = DrillProject(configuration);
                var site = SiteUrl ?? configuration.Drills.SiteUrl
                    ?? throw new HotmessException("DrillSiteMissing", FailureKind.InvalidArgument,
                        "An application drill needs the drill project's site to check its health: pass -SiteUrl or set drills.siteUrl.", "SiteUrl");
                var siteUri = PlatformHttp.TryParse(site)
                    ?? throw new HotmessException("DrillSiteInvalid", FailureKind.InvalidArgument, $"The drill site '{site}' is not an http(s) URL.", site);
                var productionProject = configuration.Platform.VercelProjectId ?? environment["VERCEL_PROJECT_ID"] as string;
                var productionSite = PlatformHttp.TryParse(configuration.Platform.SiteUrl ?? environment["HOTMESS_SITE_URL"] as string ?? "https://hotmess.london");
                var settings = ClientSettings.Vercel(configuration, environment, ToSecret(Token), project);
                return new ApplicationRollbackDrill(settings, productionProject, siteUri, productionSite, new RollbackOptions { HealthCheckTimeout = HealthCheckTimeout });

            default:
                throw new HotmessException("DrillScenarioUnknown", FailureKind.InvalidArgument, $"'{Scenario}' is not a drill scenario.", Scenario.ToString());
        }
    }
}
