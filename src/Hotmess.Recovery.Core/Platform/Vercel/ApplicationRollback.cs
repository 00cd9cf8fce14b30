using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>What a rollback will do: production moves from <see cref="From"/> to <see cref="To"/>.</summary>
public sealed record RollbackPlan(VercelProject Project, VercelDeployment From, VercelDeployment To)
{
    public override string ToString() => $"{Project.Name ?? Project.Id}: production {From.DeploymentId} -> {To.DeploymentId}";
}

/// <summary>The outcome of a rollback (the plan's Procedure 2): which deployment serves production now, and is the site healthy.</summary>
public sealed class RollbackResult
{
    public required string ProjectId { get; init; }

    public required string FromDeploymentId { get; init; }

    public string? FromUrl { get; init; }

    public required string ToDeploymentId { get; init; }

    public string? ToUrl { get; init; }

    /// <summary>Vercel's final <c>jobStatus</c>: <c>succeeded</c> (a failed rollback raises <c>VercelRollbackFailed</c> instead).</summary>
    public required string Status { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }

    public TimeSpan Duration => CompletedAt - StartedAt;

    /// <summary>The health endpoint checked after the rollback, or null when none was checked.</summary>
    public string? HealthUrl { get; init; }

    /// <summary>True when the site answered healthy after the rollback; null when not checked.</summary>
    public bool? Healthy { get; init; }

    public string? HealthDetail { get; init; }
}

/// <summary>Timeouts of a rollback.</summary>
public sealed record RollbackOptions
{
    /// <summary>How long to wait for Vercel to finish moving production (its own CLI waits 3 minutes).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>How long to wait for the site to answer healthy after the rollback.</summary>
    public TimeSpan HealthCheckTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// Procedure 2, application rollback: find the last working production deployment, roll production back to
/// it with Vercel's instant rollback, wait until Vercel reports the outcome, then check the site's health.
/// <see cref="PlanAsync"/> only reads, so a caller can confirm (ShouldProcess) before <see cref="ExecuteAsync"/>.
/// </summary>
public sealed class ApplicationRollback(VercelClient vercel, SiteHealthClient? site, IOperationLog log, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Works out the rollback: from the deployment serving production to <paramref name="deploymentId"/>, or by
    /// default to the newest READY production deployment older than the current one. Fails with
    /// <c>VercelNoProductionDeployment</c>, <c>VercelNoRollbackCandidate</c>, <c>VercelDeploymentNotFound</c>,
    /// <c>VercelDeploymentNotReady</c>, <c>VercelDeploymentNotProduction</c>, <c>VercelDeploymentOfOtherProject</c>,
    /// <c>VercelDeploymentAlreadyCurrent</c> or <c>VercelAliasRequestInProgress</c>.
    /// </summary>
    public async Task<RollbackPlan> PlanAsync(string? deploymentId, CancellationToken cancellationToken)
    {
        var project = await vercel.GetProjectAsync(cancellationToken).ConfigureAwait(false);
        var projectName = project.Name ?? project.Id;
        if (project.LastAliasRequest is { } running && running.IsRunningAt(_time.GetUtcNow()))
        {
            throw new HotmessException("VercelAliasRequestInProgress", FailureKind.InvalidOperation,
                $"A {running.Type ?? "rollback"} of project '{projectName}' to {running.ToDeploymentId} is still {running.JobStatus}; wait for it to end before rolling back.",
                running.ToDeploymentId);
        }

        var current = await vercel.GetCurrentProductionDeploymentAsync(project, cancellationToken).ConfigureAwait(false)
            ?? throw new HotmessException("VercelNoProductionDeployment", FailureKind.NotFound,
                $"Project '{projectName}' has no READY production deployment, so there is nothing to roll back.", project.Id);
        log.Verbose($"Production of '{projectName}' is served by {current.DeploymentId} ({current.Url}, created {current.CreatedAt:u}).");

        var target = deploymentId is null
            ? await FindPreviousAsync(project, current, cancellationToken).ConfigureAwait(false)
            : await CheckTargetAsync(project, current, deploymentId, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Rolling back to {target.DeploymentId} ({target.Url}, created {target.CreatedAt:u}).");
        return new RollbackPlan(project, current, target);
    }

    /// <summary>
    /// Requests the rollback, waits until Vercel reports it succeeded, then checks the site. Fails with
    /// <c>VercelRollbackFailed</c> (naming the aliases Vercel could not move), <c>VercelRollbackSkipped</c> or
    /// <c>VercelAliasRequestTimedOut</c>. An unhealthy site after a successful rollback is reported in the result
    /// (and as a warning), not raised.
    /// </summary>
    public async Task<RollbackResult> ExecuteAsync(RollbackPlan plan, RollbackOptions options, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var to = plan.To.DeploymentId;
        await vercel.RequestRollbackAsync(to, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Vercel accepted the rollback of production to {to}.");

        var outcome = await vercel.WaitForAliasRequestAsync(to, started, options.Timeout, cancellationToken).ConfigureAwait(false);
        var completed = _time.GetUtcNow();
        if (outcome.JobStatus == AliasRequest.Failed)
        {
            var aliases = await vercel.GetFailedRollbackAliasesAsync(cancellationToken).ConfigureAwait(false);
            var which = aliases.Count == 0 ? "" : $" Aliases not moved: {string.Join(", ", aliases.Select(a => a.Alias))}.";
            throw new HotmessException("VercelRollbackFailed", FailureKind.RemoteServiceFailed,
                $"Vercel reports the rollback of production from {plan.From.DeploymentId} to {to} failed; production still points at {plan.From.DeploymentId}.{which}", to);
        }

        if (outcome.JobStatus != AliasRequest.Succeeded)
        {
            throw new HotmessException("VercelRollbackSkipped", FailureKind.InvalidOperation,
                $"Vercel ended the rollback to {to} as '{outcome.JobStatus}' without moving production.", to);
        }

        log.Verbose($"Production now points at {to} ({(completed - started).TotalSeconds:0.#} s).");
        SiteHealth? health = null;
        if (site is not null)
        {
            health = await site.WaitUntilHealthyAsync(options.HealthCheckTimeout, log, cancellationToken).ConfigureAwait(false);
            if (!health.Healthy)
            {
                log.Warning($"The rollback to {to} succeeded but {health.Url} is unhealthy ({health.Detail}).");
            }
        }

        return new RollbackResult
        {
            ProjectId = plan.Project.Id,
            FromDeploymentId = plan.From.DeploymentId,
            FromUrl = plan.From.Url,
            ToDeploymentId = to,
            ToUrl = plan.To.Url,
            Status = outcome.JobStatus,
            StartedAt = started,
            CompletedAt = completed,
            HealthUrl = health?.Url,
            Healthy = health?.Healthy,
            HealthDetail = health?.Detail,
        };
    }

    private async Task<VercelDeployment> FindPreviousAsync(VercelProject project, VercelDeployment current, CancellationToken cancellationToken)
    {
        var filter = new DeploymentFilter { Target = EnvironmentTargets.Production, States = [DeploymentStates.Ready], PageSize = 50 };
        await foreach (var deployment in vercel.GetDeploymentsAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            if (deployment.DeploymentId != current.DeploymentId && deployment.IsReady && deployment.IsRollbackCandidate != false &&
                deployment.CreatedAt < current.CreatedAt)
            {
                return deployment;
            }
        }

        throw new HotmessException("VercelNoRollbackCandidate", FailureKind.NotFound,
            $"Project '{project.Name ?? project.Id}' has no READY production deployment older than {current.DeploymentId} (the one serving production) to roll back to.",
            project.Id);
    }

    private async Task<VercelDeployment> CheckTargetAsync(VercelProject project, VercelDeployment current, string deploymentId, CancellationToken cancellationToken)
    {
        var target = await vercel.GetDeploymentAsync(deploymentId, cancellationToken).ConfigureAwait(false);
        if (target.ProjectId is not null && target.ProjectId != project.Id)
        {
            throw new HotmessException("VercelDeploymentOfOtherProject", FailureKind.InvalidArgument,
                $"Deployment {target.DeploymentId} belongs to project {target.ProjectId}, not to '{project.Name ?? project.Id}'.", deploymentId);
        }

        if (!target.IsProduction)
        {
            throw new HotmessException("VercelDeploymentNotProduction", FailureKind.InvalidArgument,
                $"Deployment {target.DeploymentId} is a {target.Target ?? "preview"} deployment; production can only be rolled back to a production deployment.",
                deploymentId);
        }

        if (!target.IsReady)
        {
            throw new HotmessException("VercelDeploymentNotReady", FailureKind.InvalidOperation,
                $"Deployment {target.DeploymentId} is {target.State}, not READY; production can only be rolled back to a working deployment.", deploymentId);
        }

        if (target.DeploymentId == current.DeploymentId)
        {
            throw new HotmessException("VercelDeploymentAlreadyCurrent", FailureKind.InvalidOperation,
                $"Deployment {target.DeploymentId} already serves production.", deploymentId);
        }

        return target;
    }
}
