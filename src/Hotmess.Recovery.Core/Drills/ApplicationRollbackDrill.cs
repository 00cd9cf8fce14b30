using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Drills;

/// <summary>
/// Procedure 2 rehearsed on a Vercel project that is not production: the deployment serving it is declared broken,
/// it is rolled back with the engine Invoke-HotmessRollback uses to the newest working deployment, the site's
/// health proves the service is back, and cleanup promotes the deployment it served before, so the drill project
/// ends as it began. A rollback touches no data, so the RPO is zero.
/// </summary>
public sealed class ApplicationRollbackDrill : IDrillScenario
{
    private readonly VercelSettings _drillProject;
    private readonly string? _productionProjectId;
    private readonly Uri _siteUrl;
    private readonly Uri? _productionSiteUrl;
    private readonly RollbackOptions _options;
    private RollbackPlan? _rolledBack;

    /// <param name="drillProject">Vercel settings whose project is the drill project.</param>
    /// <param name="productionProjectId">The production project (the configuration's or VERCEL_PROJECT_ID), refused as the drill project.</param>
    /// <param name="siteUrl">The drill project's site, whose /api/health proves the service is back.</param>
    /// <param name="productionSiteUrl">The production site, refused as the drill's site.</param>
    public ApplicationRollbackDrill(VercelSettings drillProject, string? productionProjectId, Uri siteUrl, Uri? productionSiteUrl, RollbackOptions? options = null)
    {
        _drillProject = drillProject;
        _productionProjectId = productionProjectId;
        _siteUrl = siteUrl;
        _productionSiteUrl = productionSiteUrl;
        _options = options ?? new RollbackOptions();
    }

    public DrillScenario Scenario => DrillScenario.ApplicationRollback;

    public string Target => $"Vercel project '{_drillProject.ProjectId}', site {_siteUrl.GetLeftPart(UriPartial.Authority)}";

    public IReadOnlyList<string> Plan =>
    [
        $"Simulate a broken deployment: declare the deployment serving Vercel project '{_drillProject.ProjectId}' broken and find its last working one",
        "Roll the project back to it with Vercel's instant rollback, and wait until Vercel reports it done",
        $"Verify that {_siteUrl.GetLeftPart(UriPartial.Authority)}/api/health answers healthy: the service is back",
        "Clean up: promote the deployment the project served before the drill",
    ];

    public void Validate()
    {
        if (_productionProjectId is not null && string.Equals(_drillProject.ProjectId, _productionProjectId, StringComparison.OrdinalIgnoreCase))
        {
            throw Production($"the Vercel project '{_drillProject.ProjectId}' is the production project");
        }

        if (_productionSiteUrl is not null && Uri.Compare(_siteUrl, _productionSiteUrl, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
        {
            throw Production($"{_siteUrl.GetLeftPart(UriPartial.Authority)} is the production site");
        }
    }

    public async Task RecoverAsync(DrillRun run, CancellationToken cancellationToken)
    {
        using var vercel = new VercelClient(_drillProject, run.Log);
        var plan = await run.StepAsync("Simulate the failure: the serving deployment is broken", async token =>
        {
            var found = await new ApplicationRollback(vercel, null, run.Log, run.Time).PlanAsync(null, token).ConfigureAwait(false);
            return (found, $"{found.From.DeploymentId} declared broken; last working deployment {found.To.DeploymentId} (created {found.To.CreatedAt:u})");
        }, cancellationToken).ConfigureAwait(false);

        await run.StepAsync("Roll back to the last working deployment", async token =>
        {
            var result = await new ApplicationRollback(vercel, null, run.Log, run.Time).ExecuteAsync(plan, _options, token).ConfigureAwait(false);
            _rolledBack = plan;
            return $"{result.FromDeploymentId} -> {result.ToDeploymentId}: {result.Status}";
        }, cancellationToken).ConfigureAwait(false);

        await run.StepAsync("Verify the site answers healthy", async token =>
        {
            using var site = new SiteHealthClient(_siteUrl);
            var health = await site.WaitUntilHealthyAsync(_options.HealthCheckTimeout, run.Log, token).ConfigureAwait(false);
            if (!health.Healthy)
            {
                throw new HotmessException("DrillServiceUnhealthy", FailureKind.RemoteServiceFailed,
                    $"{health.Url} is still unhealthy after the rollback ({health.Detail}).", health.Url);
            }

            run.ServiceVerified();
            // Nothing was restored and no data was lost: the newest data is what was there at the incident.
            run.NewestDataRecoveredUtc = run.SimulatedIncidentUtc;
            return $"{health.Url}: {health.Detail}";
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task CleanupAsync(DrillRun run, CancellationToken cancellationToken)
    {
        if (_rolledBack is not { } plan)
        {
            return;
        }

        await run.CleanupStepAsync($"Promote {plan.From.DeploymentId} again", async token =>
        {
            using var vercel = new VercelClient(_drillProject, run.Log);
            var requested = run.Time.GetUtcNow();
            await vercel.RequestPromoteAsync(plan.From.DeploymentId, token).ConfigureAwait(false);
            var outcome = await vercel.WaitForAliasRequestAsync(plan.From.DeploymentId, requested, _options.Timeout, token).ConfigureAwait(false);
            if (outcome.JobStatus != AliasRequest.Succeeded)
            {
                throw new HotmessException("DrillCleanupFailed", FailureKind.RemoteServiceFailed,
                    $"Promoting {plan.From.DeploymentId} back ended '{outcome.JobStatus}'; the drill project still serves {plan.To.DeploymentId}.", plan.From.DeploymentId);
            }

            return $"The drill project serves {plan.From.DeploymentId} again.";
        }, cancellationToken).ConfigureAwait(false);
    }

    private static HotmessException Production(string why) =>
        new("DrillTargetIsProduction", FailureKind.InvalidArgument,
            $"A drill never runs against production: {why}. Name the drill project and its site (-VercelProjectId and -SiteUrl, or drills.vercelProjectId and drills.siteUrl).", why);
}
