using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Drills;
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
    /// <summary>The failure to rehearse.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public DrillScenario Scenario { get; set; }

    /// <summary>The repository: where a database drill finds its verified set, and where every drill is kept.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>DatabaseRestore: a database that does not exist yet, on a non-production server; drills.scratchConnectionString when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [SecureStringAsText]
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

    /// <summary>ApplicationRollback, CredentialRecovery and PlatformRecovery: the Vercel project to work on, never the production one; drills.vercelProjectId when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? VercelProjectId { get; set; }

    /// <summary>ApplicationRollback and PlatformRecovery: the drill project's site, whose /api/health proves the service is back; drills.siteUrl when not given.</summary>
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

    /// <summary>PlatformRecovery: Procedure 4's runbook; the module's runbooks/Invoke-HotmessPlatformRecovery.ps1 when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RunbookPath { get; set; }

    /// <summary>PlatformRecovery: the name of the new Supabase project the runbook creates; hotmess-drill-&lt;time&gt; when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProjectName { get; set; }

    /// <summary>PlatformRecovery: the Git ref the runbook deploys to the drill project.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? GitRef { get; set; }

    /// <summary>PlatformRecovery: the supabase/migrations folder the runbook applies to the new project.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? MigrationsPath { get; set; }

    /// <summary>PlatformRecovery: the key of an encrypted repository, passed on to the runbook.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

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
            repository = Scenario is DrillScenario.DatabaseRestore or DrillScenario.StorageRestore or DrillScenario.PlatformRecovery
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

    private Uri DrillSite(HotmessConfiguration configuration)
    {
        var site = SiteUrl ?? configuration.Drills.SiteUrl
            ?? throw new HotmessException("DrillSiteMissing", FailureKind.InvalidArgument,
                $"A {Scenario} drill needs the drill project's site to check its health: pass -SiteUrl or set drills.siteUrl.", "SiteUrl");
        return PlatformHttp.TryParse(site)
            ?? throw new HotmessException("DrillSiteInvalid", FailureKind.InvalidArgument, $"The drill site '{site}' is not an http(s) URL.", site);
    }

    private PlatformRecoveryDrill PlatformRecovery(BackupRepository repository, HotmessConfiguration configuration, System.Collections.IDictionary environment)
    {
        // The runbook runs in a pwsh of its own, the host this one runs in (dotnet pwsh.dll, say), importing this module.
        var moduleFolder = Path.GetDirectoryName(typeof(InvokeHotmessRecoveryDrillCommand).Assembly.Location)!;
        var host = System.Environment.ProcessPath ?? "pwsh";
        var hostArguments = string.Equals(Path.GetFileNameWithoutExtension(host), "dotnet", StringComparison.OrdinalIgnoreCase)
            ? new[] { Path.Combine((string)SessionState.PSVariable.GetValue("PSHOME"), "pwsh.dll") }
            : [];
        return new PlatformRecoveryDrill(new PlatformRecoveryDrillOptions
        {
            Repository = repository,
            Configuration = configuration,
            RunbookPath = RunbookPath is null
                ? Path.Combine(moduleFolder, "runbooks", "Invoke-HotmessPlatformRecovery.ps1")
                : GetUnresolvedProviderPathFromPSPath(RunbookPath),
            ModuleManifestPath = Path.Combine(moduleFolder, "HotmessRecovery.psd1"),
            PwshPath = host,
            PwshArguments = hostArguments,
            Environment = environment,
            VercelProjectId = DrillProject(configuration),
            ProductionVercelProjectId = configuration.Platform.VercelProjectId ?? environment["VERCEL_PROJECT_ID"] as string,
            SiteUrl = DrillSite(configuration),
            ProductionSiteUrl = PlatformHttp.TryParse(configuration.Platform.SiteUrl ?? environment["HOTMESS_SITE_URL"] as string ?? "https://hotmess.london"),
            ProjectName = ProjectName,
            GitRef = GitRef,
            MigrationsPath = MigrationsPath is null ? null : GetUnresolvedProviderPathFromPSPath(MigrationsPath),
            RepositoryKeyFile = RepositoryKeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(RepositoryKeyFile),
        });
    }

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

            case DrillScenario.PlatformRecovery:
                return PlatformRecovery(repository, configuration, environment);

            case DrillScenario.ApplicationRollback:
                var project = DrillProject(configuration);
                var siteUri = DrillSite(configuration);
                var productionProject = configuration.Platform.VercelProjectId ?? environment["VERCEL_PROJECT_ID"] as string;
                var productionSite = PlatformHttp.TryParse(configuration.Platform.SiteUrl ?? environment["HOTMESS_SITE_URL"] as string ?? "https://hotmess.london");
                var settings = ClientSettings.Vercel(configuration, environment, ToSecret(Token), project);
                return new ApplicationRollbackDrill(settings, productionProject, siteUri, productionSite, new RollbackOptions { HealthCheckTimeout = HealthCheckTimeout });

            default:
                throw new HotmessException("DrillScenarioUnknown", FailureKind.InvalidArgument, $"'{Scenario}' is not a drill scenario.", Scenario.ToString());
        }
    }
}
