using System.Collections;
using System.Globalization;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Drills;

/// <summary>
/// Procedure 4 rehearsed: everything is gone and the newest verified database set is what survived. The drill runs
/// Procedure 4's runbook itself, once, from Assess to Communicate, in a pwsh of its own whose configuration points the
/// platform at the drill targets: a NEW Supabase project (-NewProject), the drill Vercel project and its site, Stripe
/// in test mode, nobody alerted (no alerting addresses, no Slack, PagerDuty or Statuspage credentials). One run,
/// because the new project's keys live only in the memory of the run that created it. The runbook's incident, kept in
/// a folder of the drill's, gives every step with its timing; the end of its Verify phase stops the RTO clock. It lives
/// beside the cmdlets, not in Core, because it runs a PowerShell script.
/// </summary>
public sealed class PlatformRecoveryDrill : IDrillScenario
{
    /// <summary>The runbook's phase whose last step verifies the service.</summary>
    public const string VerifyPhase = "Verify";

    /// <summary>Resend's test address that accepts and delivers to no one: where the drill's email check goes.</summary>
    public const string EmailCheckAddress = "delivered@resend.dev";

    // Runs the runbook with the parameters the drill passes as JSON; the incident it keeps is read afterwards.
    private const string RunnerScript = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        $PSStyle.OutputRendering = 'PlainText'
        $parameters = @{}
        foreach ($p in ($env:HOTMESS_DRILL_RUNBOOK_PARAMETERS | ConvertFrom-Json).PSObject.Properties) { $parameters[$p.Name] = $p.Value }
        Import-Module $env:HOTMESS_DRILL_MODULE
        $null = & $env:HOTMESS_DRILL_RUNBOOK @parameters
        """;

    // Where a real incident would be announced: the runbook of a drill gets none of them, so nobody is paged or told.
    private static readonly string[] Announcing = ["SLACK_WEBHOOK_URL", "PAGERDUTY_ROUTING_KEY", "STATUSPAGE_API_KEY", "STATUSPAGE_PAGE_ID"];

    // The old platform, lost in the simulation: the runbook's environment does not name it, as its configuration does not.
    private static readonly string[] Lost = ["HOTMESS_DATABASE_URL", "SUPABASE_PROJECT_REF"];

    // Where a real incident is copied offsite: a drill's incident stays in its work folder, removed afterwards, and is never kept beside real ones.
    private static readonly string[] KeptOffsite = ["HOTMESS_OFFSITE_REPOSITORY"];

    private readonly PlatformRecoveryDrillOptions _options;
    private string? _workFolder;
    private string? _createdProjectRef;

    public PlatformRecoveryDrill(PlatformRecoveryDrillOptions options)
    {
        _options = options;
        ProjectName = options.ProjectName ?? "hotmess-drill-" + options.Time.GetUtcNow().ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    public DrillScenario Scenario => DrillScenario.PlatformRecovery;

    /// <summary>The new Supabase project the runbook creates for the drill.</summary>
    public string ProjectName { get; }

    public string Target => $"new Supabase project '{ProjectName}', Vercel project '{_options.VercelProjectId}', site {_options.SiteUrl.GetLeftPart(UriPartial.Authority)}";

    public IReadOnlyList<string> Plan =>
    [
        $"Simulate the loss of the whole platform (no old database or Supabase project in the drill's configuration): take the newest verified database set of '{_options.Repository.Root}' as what survived",
        $"Run Procedure 4's runbook {_options.RunbookPath} once, in a pwsh of its own, with a configuration that points it at the drill targets and alerts nobody, its incident kept in a folder of the drill's",
        "Runbook phase Assess: provider status, the drill site's health, the newest backups",
        $"Runbook phase Infrastructure: a NEW Supabase project '{ProjectName}' (-NewProject), the newest sets restored into it, migrations applied",
        $"Runbook phase Application: the environment restored into the Vercel project '{_options.VercelProjectId}' with the new project's URL and keys, a production deployment of it from {_options.GitRef ?? "the runbook's default ref"}",
        $"Runbook phase Integrations: the Stripe webhook endpoint for the drill site, the Resend check (its test email to {EmailCheckAddress}, never the team), a test-mode payment (never live)",
        $"Runbook phase Verify: the critical user flows on {_options.SiteUrl.GetLeftPart(UriPartial.Authority)}, data integrity, every integration: the service is back",
        "Runbook phase Communicate: the incident closed and its report written in the drill's folder; no Slack, PagerDuty, Statuspage credentials or alerting addresses reach it, so it announces nothing",
        $"Clean up: delete the drill's incident folder and configuration; the Supabase project '{ProjectName}' the runbook created is not deleted by this module: a failed cleanup step names it, for you to delete",
    ];

    public void Validate()
    {
        if (_options.ProductionVercelProjectId is { } production && string.Equals(production, _options.VercelProjectId, StringComparison.Ordinal))
        {
            throw Production($"the Vercel project '{_options.VercelProjectId}' is the production project");
        }

        if (_options.ProductionSiteUrl is { } site && string.Equals(site.Authority, _options.SiteUrl.Authority, StringComparison.OrdinalIgnoreCase))
        {
            throw Production($"{_options.SiteUrl.GetLeftPart(UriPartial.Authority)} is the production site");
        }

        if (_options.Environment["STRIPE_SECRET_KEY"] is string key && (key.StartsWith("sk_live_", StringComparison.Ordinal) || key.StartsWith("rk_live_", StringComparison.Ordinal)))
        {
            throw Production("STRIPE_SECRET_KEY is a live key, and a drill pays in Stripe's test mode only");
        }

        if (!File.Exists(_options.RunbookPath))
        {
            throw new HotmessException("DrillRunbookMissing", FailureKind.NotFound,
                $"Procedure 4's runbook is not at '{_options.RunbookPath}': pass -RunbookPath, or import a module that ships runbooks/Invoke-HotmessPlatformRecovery.ps1.",
                _options.RunbookPath);
        }
    }

    public async Task RecoverAsync(DrillRun run, CancellationToken cancellationToken)
    {
        var survivor = await run.StepAsync("Simulate the failure: everything is lost, the newest verified database set survived", _ =>
        {
            var set = _options.Repository.GetSets(BackupKind.Database)
                .FirstOrDefault(s => _options.Repository.GetVerifications(s.Id).Any(v => v.Passed))
                ?? throw new HotmessException("DrillNoVerifiedSet", FailureKind.NotFound,
                    $"The repository '{_options.Repository.Root}' holds no database set that passed a verification, so nothing is known to survive: verify one with Test-HotmessBackup -RestoreTo first.",
                    _options.Repository.Root);
            run.SurvivingSetId = set.Id;
            return Task.FromResult((set, $"{set.Id}, taken {set.StartedUtc:u} from {set.Source}"));
        }, cancellationToken).ConfigureAwait(false);

        _workFolder = Path.Combine(Path.GetTempPath(), "hotmess-drill-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(_workFolder);
        var configurationPath = Path.Combine(_workFolder, "hotmess.json");
        await File.WriteAllTextAsync(configurationPath, DrillConfiguration(), cancellationToken).ConfigureAwait(false);
        var incidents = Path.Combine(_workFolder, "incidents");

        run.Log.Progress(new OperationProgress(DrillRun.ProgressId, "Recovery drill", "Procedure 4's runbook", CurrentOperation: ProjectName));
        var started = run.Time.GetUtcNow();
        var result = await RunRunbookAsync(run, configurationPath, incidents, cancellationToken).ConfigureAwait(false);
        var record = new IncidentStore(incidents).GetAll().OrderByDescending(r => r.StartedUtc).FirstOrDefault();
        var failure = result.ExitCode == 0 ? null : $"Procedure 4's runbook failed (exit code {result.ExitCode}): {result.FailureReason}";
        if (record is null)
        {
            var step = run.AddRecordedStep("Run Procedure 4's runbook", started, run.Time.GetUtcNow() - started, passed: false,
                failure ?? "The runbook kept no incident.", "DrillRunbookFailed");
            throw new DrillStepFailedException(step, new HotmessException("DrillRunbookFailed", FailureKind.InvalidOperation, step.Detail!, _options.RunbookPath));
        }

        _createdProjectRef = record.Facts["ProjectRef"] as string;
        // Data restored counts for the RPO even when a later step stops the recovery.
        run.NewestDataRecoveredUtc = record.RecoveredToUtc;

        // Each step of the runbook, as its incident recorded it: what ran, when, for how long, how it ended.
        DrillStep? failed = null;
        foreach (var step in record.Steps)
        {
            var passed = step.Status is IncidentStepStatus.Succeeded or IncidentStepStatus.Skipped;
            var added = run.AddRecordedStep("Runbook " + step.Name, step.StartedUtc, step.Duration ?? TimeSpan.Zero, passed,
                step.Status == IncidentStepStatus.Running ? "Started and never ended: the runbook stopped during it." : step.Detail,
                passed ? null : step.ErrorId ?? "DrillRunbookFailed");
            failed ??= passed ? null : added;
        }

        if (failed is not null || failure is not null || record.Outcome != RecoveryRun.RecoveredOutcome)
        {
            var why = failed is not null ? $"'{failed.Name}' failed: {failed.Detail}" : failure ?? $"the incident ended as {record.Outcome ?? "open"}";
            var step = failed ?? run.AddRecordedStep("Run Procedure 4's runbook", started, run.Time.GetUtcNow() - started, false, why, record.ErrorId ?? "DrillRunbookFailed");
            throw new DrillStepFailedException(step, new HotmessException("DrillRunbookFailed", FailureKind.InvalidOperation,
                $"Procedure 4's runbook did not recover the platform in incident {record.Id}: {why}", record.Id));
        }

        var verified = record.Steps.Where(s => s.Name.StartsWith(VerifyPhase + ":", StringComparison.Ordinal)).ToList();
        if (verified.Count == 0)
        {
            var step = run.AddRecordedStep("Run Procedure 4's runbook", started, run.Time.GetUtcNow() - started, false,
                $"The incident {record.Id} has no {VerifyPhase} step: the service was never verified.", "DrillServiceNotVerified");
            throw new DrillStepFailedException(step, new HotmessException("DrillServiceNotVerified", FailureKind.InvalidOperation, step.Detail!, record.Id));
        }

        run.ServiceVerified(verified.Max(s => s.StartedUtc + (s.Duration ?? TimeSpan.Zero)));
        // The newest data the new project holds: what the runbook restored, else the surviving set's snapshot.
        run.NewestDataRecoveredUtc ??= survivor.StartedUtc;
    }

    public async Task CleanupAsync(DrillRun run, CancellationToken cancellationToken)
    {
        if (_workFolder is not { } folder)
        {
            return;
        }

        await run.CleanupStepAsync("Delete the drill's incident folder and configuration", _ =>
        {
            Directory.Delete(folder, recursive: true);
            return Task.FromResult($"Deleted {folder}.");
        }, cancellationToken).ConfigureAwait(false);

        if (_createdProjectRef is { } projectRef)
        {
            // Said as a failed cleanup step, so the report's improvements tell whoever reads it to remove the project.
            await run.CleanupStepAsync($"Delete the Supabase project {projectRef}", _ =>
                throw new HotmessException("DrillProjectLeft", FailureKind.InvalidOperation,
                    $"The runbook created the Supabase project {projectRef} ('{ProjectName}') for the drill, and this module does not delete projects: delete it in the Supabase dashboard (Project settings, Delete project).",
                    projectRef), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The runbook's parameters for a drill: always a new project, the drill site, never a live payment or a user notice.</summary>
    public IDictionary<string, object> RunbookParameters(DateTimeOffset incidentUtc, string incidentRepository, string incidentPath)
    {
        var parameters = new Dictionary<string, object>
        {
            ["NewProject"] = true,
            ["ProjectName"] = ProjectName,
            ["Repository"] = _options.Repository.Root,
            ["SiteUrl"] = _options.SiteUrl.ToString(),
            ["ImpactStarted"] = incidentUtc.ToString("o", CultureInfo.InvariantCulture),
            ["IncidentRepository"] = incidentRepository,
            ["IncidentPath"] = incidentPath,
            ["Reason"] = "Recovery drill: complete platform loss (simulated)",
        };
        if (_options.GitRef is { } gitRef)
        {
            parameters["GitRef"] = gitRef;
        }

        if (_options.MigrationsPath is { } migrations)
        {
            parameters["MigrationsPath"] = migrations;
        }

        if (_options.RepositoryKeyFile is { } keyFile)
        {
            parameters["RepositoryKeyFile"] = keyFile;
        }

        return parameters;
    }

    private async Task<ExternalProcess.Result> RunRunbookAsync(DrillRun run, string configurationPath, string incidents, CancellationToken cancellationToken)
    {
        // The caller's credentials pass on (the runbook needs them), but not the announcing ones nor the lost platform's; the platform and the configuration are the drill's.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in _options.Environment)
        {
            if (entry.Key is string name && entry.Value is string value && !Announcing.Contains(name, StringComparer.OrdinalIgnoreCase) && !Lost.Contains(name, StringComparer.OrdinalIgnoreCase)
                && !KeptOffsite.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                environment[name] = value;
            }
        }

        environment["HOTMESS_CONFIG"] = configurationPath;
        environment["VERCEL_PROJECT_ID"] = _options.VercelProjectId;
        environment["HOTMESS_SITE_URL"] = _options.SiteUrl.ToString();
        environment["HOTMESS_DRILL_MODULE"] = _options.ModuleManifestPath;
        environment["HOTMESS_DRILL_RUNBOOK"] = _options.RunbookPath;
        environment["HOTMESS_DRILL_RUNBOOK_PARAMETERS"] = JsonSerializer.Serialize(RunbookParameters(run.SimulatedIncidentUtc, incidents, Path.Combine(_workFolder!, "reports")));

        var arguments = _options.PwshArguments.Concat(["-NoProfile", "-NonInteractive", "-Command", RunnerScript]);
        return await ExternalProcess.RunAsync(_options.PwshPath, arguments, environment, line => run.Log.Verbose($"Runbook: {line}"), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// The Stripe webhook endpoint the drill may sync is the drill site's: a configured URL under the production site keeps its
    /// path under the drill site, and any other URL that is not the drill site's is dropped, so the runbook finds the endpoint
    /// under the drill site or stops, and never points an endpoint at production.
    /// </summary>
    internal static string? DrillWebhookUrl(string? configured, string? productionSite, Uri drillSite)
    {
        if (string.IsNullOrEmpty(configured) || !Uri.TryCreate(configured, UriKind.Absolute, out var url))
        {
            return null;
        }

        var drill = drillSite.ToString().TrimEnd('/');
        if (url.ToString().StartsWith(drill + "/", StringComparison.OrdinalIgnoreCase))
        {
            return configured;
        }

        var production = productionSite?.TrimEnd('/');
        return !string.IsNullOrEmpty(production) && url.ToString().StartsWith(production + "/", StringComparison.OrdinalIgnoreCase)
            ? drill + url.ToString()[production.Length..]
            : null;
    }

    /// <summary>The configuration in force, pointed at the drill targets: no production database, nobody alerted.</summary>
    private string DrillConfiguration()
    {
        var configuration = Json.Deserialize<HotmessConfiguration>(Json.Serialize(_options.Configuration.Redacted()));
        configuration.SourcePath = null;
        configuration.Repository = _options.Repository.Root;
        // The platform is lost: the old database and Supabase project are not there to use.
        configuration.Database.ConnectionString = null;
        configuration.Platform.SupabaseProjectRef = null;
        configuration.Stripe.WebhookUrl = DrillWebhookUrl(configuration.Stripe.WebhookUrl, configuration.Platform.SiteUrl, _options.SiteUrl);
        configuration.Platform.VercelProjectId = _options.VercelProjectId;
        configuration.Platform.SiteUrl = _options.SiteUrl.ToString();
        // Nobody alerted; the runbook's email check still sends, from the real sender, to Resend's test address.
        configuration.Alerting = new AlertingSettings { Email = new AlertEmailSettings { From = configuration.Alerting.Email.From, To = [EmailCheckAddress] } };
        return Json.Serialize(configuration);
    }

    private static HotmessException Production(string why) =>
        new("DrillTargetIsProduction", FailureKind.InvalidArgument,
            $"A drill never runs against production: {why}. Name the drill project and its site (-VercelProjectId and -SiteUrl, or drills.vercelProjectId and drills.siteUrl) and use a Stripe test key.", why);
}
