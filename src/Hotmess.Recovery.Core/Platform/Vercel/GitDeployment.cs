using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>What a deployment from Git will build: which project, repository, ref and target.</summary>
public sealed record GitDeploymentPlan(VercelProject Project, VercelGitLink Link, string GitRef, string? Target)
{
    public bool IsProduction => Target == EnvironmentTargets.Production;

    public override string ToString() =>
        $"{Link.Type} {Link.Repository} at '{GitRef}' as a {(IsProduction ? "production" : "preview")} deployment of Vercel project '{Project.Name ?? Project.Id}'";
}

/// <summary>Timeouts of a deployment from Git, and whether to check the site afterwards.</summary>
public sealed record GitDeploymentOptions
{
    /// <summary>How long the build may take, from QUEUED to READY.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>How long to wait for production to point at it and, after that, for the site to answer healthy.</summary>
    public TimeSpan ServingTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public bool SkipHealthCheck { get; init; }
}

/// <summary>
/// Builds the application again from its Git repository, the way <c>vercel --prod</c> does for a connected
/// repository (Procedure 4, restore the application): Vercel's create-deployment API with a <c>gitSource</c>
/// taken from the project's <c>link</c>, waited on until READY, then (for production) until the production domains
/// point at it (promoting it when a rollback had pinned production), then the site's health check.
/// <see cref="PlanAsync"/> only reads, so a caller can confirm before <see cref="ExecuteAsync"/>.
/// </summary>
public sealed class GitDeployment(VercelClient vercel, SiteHealthClient? site, IOperationLog log, TimeProvider? time = null)
{
    /// <summary>The ref built when the caller names none and the project names no production branch.</summary>
    public const string DefaultRef = "main";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>
    /// Reads the project and its Git connection; <paramref name="gitRef"/> defaults to the project's production
    /// branch. Fails with <c>VercelProjectNotLinked</c> when no repository is connected, or
    /// <c>VercelGitSourceUnsupported</c>.
    /// </summary>
    public async Task<GitDeploymentPlan> PlanAsync(string? gitRef, bool production, CancellationToken cancellationToken)
    {
        var project = await vercel.GetProjectAsync(cancellationToken).ConfigureAwait(false);
        var link = project.Link ?? throw new HotmessException("VercelProjectNotLinked", FailureKind.InvalidOperation,
            $"Vercel project '{project.Name ?? project.Id}' has no Git repository connected, so there is nothing to build from; " +
            "connect the repository in the project's Git settings (or deploy with the Vercel CLI from a checkout).", project.Id);
        var resolvedRef = string.IsNullOrWhiteSpace(gitRef) ? link.ProductionBranch ?? DefaultRef : gitRef.Trim();
        _ = link.ToGitSource(resolvedRef);
        var plan = new GitDeploymentPlan(project, link, resolvedRef, production ? EnvironmentTargets.Production : null);
        log.Verbose($"Deploying {plan}.");
        return plan;
    }

    /// <summary>
    /// Creates the deployment and follows it. Fails with <c>VercelDeploymentFailed</c> (the build's error code and
    /// message), <c>VercelDeploymentTimedOut</c>, <c>VercelDeploymentNotServing</c> or the promote's errors. An
    /// unhealthy site is reported in the result (and as a warning), not raised.
    /// </summary>
    public async Task<GitDeploymentResult> ExecuteAsync(GitDeploymentPlan plan, GitDeploymentOptions options, CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var name = plan.Project.Name ?? plan.Project.Id;
        var created = await vercel.CreateGitDeploymentAsync(name, plan.Link.ToGitSource(plan.GitRef), plan.Target, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Vercel created deployment {created.DeploymentId} ({created.State}) from {plan.Link.Repository} '{plan.GitRef}'.");

        var finished = await vercel.WaitForDeploymentAsync(created.DeploymentId, options.Timeout, cancellationToken).ConfigureAwait(false);
        if (!finished.IsReady)
        {
            var reason = finished.ErrorCode is null && finished.ErrorMessage is null ? "" : $": {finished.ErrorCode} {finished.ErrorMessage}".TrimEnd();
            throw new HotmessException("VercelDeploymentFailed", FailureKind.RemoteServiceFailed,
                $"The deployment {finished.DeploymentId} of {plan.Link.Repository} '{plan.GitRef}' ended {finished.State}{reason}." +
                (finished.InspectorUrl is null ? "" : $" Build log: {finished.InspectorUrl}"), finished.DeploymentId);
        }

        log.Verbose($"Deployment {finished.DeploymentId} is READY at {finished.Url}.");
        var serving = false;
        var promoted = false;
        if (plan.IsProduction)
        {
            (serving, promoted) = await EnsureServingAsync(finished, options.ServingTimeout, cancellationToken).ConfigureAwait(false);
        }

        SiteHealth? health = null;
        if (options.SkipHealthCheck || site is null)
        {
            log.Verbose("The site's health was not checked.");
        }
        else if (!plan.IsProduction)
        {
            log.Verbose("A preview deployment does not serve the site, so its health was not checked.");
        }
        else
        {
            health = await site.WaitUntilHealthyAsync(options.ServingTimeout, log, cancellationToken).ConfigureAwait(false);
            if (!health.Healthy)
            {
                log.Warning($"Deployment {finished.DeploymentId} serves production but {health.Url} is unhealthy ({health.Detail}).");
            }
        }

        return new GitDeploymentResult
        {
            Id = finished.DeploymentId,
            Url = finished.Url,
            State = finished.State,
            Target = finished.Target,
            GitRef = plan.GitRef,
            CommitSha = finished.CommitSha,
            Repository = plan.Link.Repository,
            ServingProduction = serving,
            Promoted = promoted,
            InspectorUrl = finished.InspectorUrl,
            StartedAt = started,
            CompletedAt = _time.GetUtcNow(),
            HealthUrl = health?.Url,
            Healthy = health?.Healthy,
            HealthDetail = health?.Detail,
        };
    }

    /// <summary>
    /// Waits until production points at the deployment. After an instant rollback Vercel stops moving production to
    /// new builds (the deployment is STAGED): then the deployment is promoted, as recovery means serving it.
    /// </summary>
    private async Task<(bool Serving, bool Promoted)> EnsureServingAsync(VercelDeployment deployment, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var current = await vercel.WaitForProductionAliasAsync(deployment.DeploymentId, timeout, cancellationToken).ConfigureAwait(false);
        if (current.ReadySubstate != "STAGED" || current.AliasAssigned == true)
        {
            log.Verbose($"Production points at {deployment.DeploymentId}{(current.Aliases.Count == 0 ? "" : " (" + string.Join(", ", current.Aliases) + ")")}.");
            return (true, false);
        }

        log.Verbose($"Deployment {deployment.DeploymentId} is staged (a rollback pinned production); promoting it.");
        var requested = _time.GetUtcNow();
        await vercel.RequestPromoteAsync(deployment.DeploymentId, cancellationToken).ConfigureAwait(false);
        var outcome = await vercel.WaitForAliasRequestAsync(deployment.DeploymentId, requested, timeout, cancellationToken).ConfigureAwait(false);
        if (outcome.JobStatus != AliasRequest.Succeeded)
        {
            throw new HotmessException("VercelDeploymentNotServing", FailureKind.RemoteServiceFailed,
                $"Deployment {deployment.DeploymentId} is READY but promoting it to production ended '{outcome.JobStatus}'.", deployment.DeploymentId);
        }

        return (true, true);
    }
}
