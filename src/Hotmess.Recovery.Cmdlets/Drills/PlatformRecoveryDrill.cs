using System.Collections;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Drills;

/// <summary>
/// Procedure 4 rehearsed: everything is gone and the newest verified database set is what survived. The drill runs
/// Procedure 4's runbook itself, one phase at a time (each a timed step, all under one incident id), in a pwsh of its
/// own whose configuration points the platform at the drill targets: a NEW Supabase project, the drill Vercel
/// project and its site, Stripe in test mode, nobody alerted (no alerting addresses, no Slack, PagerDuty or Statuspage
/// credentials). Communicate is not run: a drill posts no status page
/// incident and sends no user notice. It lives beside the cmdlets, not in Core, because it runs a PowerShell script.
/// </summary>
public sealed class PlatformRecoveryDrill : IDrillScenario
{
    /// <summary>The runbook's phases a drill runs, in order; Verify passing is the end of the RTO clock.</summary>
    public static readonly IReadOnlyList<string> Phases = ["Assess", "Infrastructure", "Application", "Integrations", "Verify"];

    // Runs the runbook with the parameters the drill passes as JSON, and prints the incident record it outputs as JSON.
    private const string RunnerScript = """
        $ErrorActionPreference = 'Stop'
        $ProgressPreference = 'SilentlyContinue'
        $PSStyle.OutputRendering = 'PlainText'
        $parameters = @{}
        foreach ($p in ($env:HOTMESS_DRILL_RUNBOOK_PARAMETERS | ConvertFrom-Json).PSObject.Properties) { $parameters[$p.Name] = $p.Value }
        Import-Module $env:HOTMESS_DRILL_MODULE
        $record = & $env:HOTMESS_DRILL_RUNBOOK @parameters | Select-Object -Last 1
        if ($null -ne $record) { $record | ConvertTo-Json -Depth 6 -Compress -WarningAction SilentlyContinue }
        """;

    // Where a real incident would be announced: the runbook of a drill gets none of them, so nobody is paged or told.
    private static readonly string[] Announcing = ["SLACK_WEBHOOK_URL", "PAGERDUTY_ROUTING_KEY", "STATUSPAGE_API_KEY", "STATUSPAGE_PAGE_ID"];

    private readonly PlatformRecoveryDrillOptions _options;
    private string? _workFolder;

    public PlatformRecoveryDrill(PlatformRecoveryDrillOptions options)
    {
        _options = options;
        var now = options.Time.GetUtcNow();
        IncidentId = "drill-" + now.ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture);
        ProjectName = options.ProjectName ?? "hotmess-drill-" + now.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
    }

    public DrillScenario Scenario => DrillScenario.PlatformRecovery;

    /// <summary>The incident id every phase runs under, so the runbook's checkpoints join them into one recovery.</summary>
    public string IncidentId { get; }

    /// <summary>The new Supabase project the runbook creates for the drill.</summary>
    public string ProjectName { get; }

    public string Target => $"new Supabase project '{ProjectName}', Vercel project '{_options.VercelProjectId}', site {_options.SiteUrl.GetLeftPart(UriPartial.Authority)}";

    public IReadOnlyList<string> Plan =>
    [
        $"Simulate the loss of the whole platform (no old database or Supabase project in the drill's configuration): take the newest verified database set of '{_options.Repository.Root}' as what survived",
        $"Run Procedure 4's runbook {_options.RunbookPath} as incident {IncidentId}, one phase at a time (-Only), with a configuration that points it at the drill targets and alerts nobody",
        "Runbook phase Assess: provider status, the drill site's health, the newest backups",
        $"Runbook phase Infrastructure: a NEW Supabase project '{ProjectName}' (-NewProject), the newest sets restored into it, migrations applied",
        $"Runbook phase Application: the environment restored into the Vercel project '{_options.VercelProjectId}' with the new project's URL and keys, a production deployment of it from {_options.GitRef ?? "the runbook's default ref"}",
        "Runbook phase Integrations: the Stripe webhook endpoint for the drill site, the Resend check, a test-mode payment (never live)",
        $"Runbook phase Verify: the critical user flows on {_options.SiteUrl.GetLeftPart(UriPartial.Authority)}, data integrity, every integration: the service is back",
        "Communicate is not run, and the runbook gets no Slack, PagerDuty or Statuspage credentials nor alerting addresses: a drill announces nothing",
        $"Clean up: delete the drill's incident folder; the Supabase project '{ProjectName}' is named in the drill's target, for you to delete",
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
        await run.StepAsync("Simulate the failure: everything is lost, the newest verified database set survived", _ =>
        {
            var survivor = _options.Repository.GetSets(BackupKind.Database)
                .FirstOrDefault(s => _options.Repository.GetVerifications(s.Id).Any(v => v.Passed))
                ?? throw new HotmessException("DrillNoVerifiedSet", FailureKind.NotFound,
                    $"The repository '{_options.Repository.Root}' holds no database set that passed a verification, so nothing is known to survive: verify one with Test-HotmessBackup -RestoreTo first.",
                    _options.Repository.Root);
            run.SurvivingSetId = survivor.Id;
            return Task.FromResult((survivor, $"{survivor.Id}, taken {survivor.StartedUtc:u} from {survivor.Source}"));
        }, cancellationToken).ConfigureAwait(false);

        _workFolder = Path.Combine(Path.GetTempPath(), "hotmess-" + IncidentId + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(_workFolder);
        var configurationPath = Path.Combine(_workFolder, "hotmess.json");
        await File.WriteAllTextAsync(configurationPath, DrillConfiguration(), cancellationToken).ConfigureAwait(false);

        foreach (var phase in Phases)
        {
            await run.StepAsync($"Runbook phase {phase}", async token =>
            {
                var outcome = await RunPhaseAsync(phase, run, configurationPath, token).ConfigureAwait(false);
                return $"{phase} completed for incident {IncidentId}{(outcome is null ? "" : $" (incident outcome so far: {outcome})")}.";
            }, cancellationToken).ConfigureAwait(false);
        }

        run.ServiceVerified();
        // What the new project holds is the surviving set: the data lost is everything after its snapshot.
        run.NewestDataRecoveredUtc = _options.Repository.GetSets(BackupKind.Database).First(s => s.Id == run.SurvivingSetId).StartedUtc;
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
    }

    /// <summary>The parameters of one phase, as the runbook names them.</summary>
    public IDictionary<string, object> PhaseParameters(string phase, DateTimeOffset incidentUtc, string incidentPath)
    {
        var parameters = new Dictionary<string, object>
        {
            ["IncidentId"] = IncidentId,
            ["Only"] = phase,
            ["NewProject"] = true,
            ["ProjectName"] = ProjectName,
            ["Repository"] = _options.Repository.Root,
            ["SiteUrl"] = _options.SiteUrl.ToString(),
            ["ImpactStarted"] = incidentUtc.ToString("o", CultureInfo.InvariantCulture),
            ["IncidentPath"] = incidentPath,
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

    private async Task<string?> RunPhaseAsync(string phase, DrillRun run, string configurationPath, CancellationToken cancellationToken)
    {
        // The caller's credentials pass on (the runbook needs them), but not the announcing ones; the platform and the configuration are the drill's.
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in _options.Environment)
        {
            if (entry.Key is string name && entry.Value is string value && !Announcing.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                environment[name] = value;
            }
        }

        environment["HOTMESS_CONFIG"] = configurationPath;
        environment["VERCEL_PROJECT_ID"] = _options.VercelProjectId;
        environment["HOTMESS_SITE_URL"] = _options.SiteUrl.ToString();
        environment["HOTMESS_DRILL_MODULE"] = _options.ModuleManifestPath;
        environment["HOTMESS_DRILL_RUNBOOK"] = _options.RunbookPath;
        environment["HOTMESS_DRILL_RUNBOOK_PARAMETERS"] = JsonSerializer.Serialize(PhaseParameters(phase, run.SimulatedIncidentUtc, Path.Combine(_workFolder!, "incidents")));

        var arguments = _options.PwshArguments.Concat(["-NoProfile", "-NonInteractive", "-Command", RunnerScript]);
        var result = await ExternalProcess.RunAsync(_options.PwshPath, arguments, environment, line => run.Log.Verbose($"{phase}: {line}"), cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new HotmessException("DrillRunbookFailed", FailureKind.InvalidOperation,
                $"Procedure 4's runbook failed in its {phase} phase (exit code {result.ExitCode}): {result.FailureReason}", phase);
        }

        var last = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (last is null || !last.StartsWith('{'))
        {
            return null;
        }

        var outcome = JsonNode.Parse(last)?["Outcome"]?.ToString();
        if (string.Equals(outcome, "Failed", StringComparison.OrdinalIgnoreCase))
        {
            throw new HotmessException("DrillRunbookFailed", FailureKind.InvalidOperation,
                $"Procedure 4's runbook recorded the incident as Failed in its {phase} phase.", phase);
        }

        return outcome;
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
        configuration.Platform.VercelProjectId = _options.VercelProjectId;
        configuration.Platform.SiteUrl = _options.SiteUrl.ToString();
        configuration.Alerting = new AlertingSettings();
        return Json.Serialize(configuration);
    }

    private static HotmessException Production(string why) =>
        new("DrillTargetIsProduction", FailureKind.InvalidArgument,
            $"A drill never runs against production: {why}. Name the drill project and its site (-VercelProjectId and -SiteUrl, or drills.vercelProjectId and drills.siteUrl) and use a Stripe test key.", why);
}
