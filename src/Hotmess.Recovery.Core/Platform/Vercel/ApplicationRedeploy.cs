using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// Builds a deployment again (after changing environment variables, for instance: Vercel applies variables at
/// build time). The source defaults to the deployment serving production.
/// </summary>
public sealed class ApplicationRedeploy(VercelClient vercel, IOperationLog log)
{
    /// <summary>The deployment to rebuild: <paramref name="deploymentId"/>, or the one serving production.</summary>
    public async Task<VercelDeployment> ResolveSourceAsync(string? deploymentId, CancellationToken cancellationToken)
    {
        if (deploymentId is not null)
        {
            return await vercel.GetDeploymentAsync(deploymentId, cancellationToken).ConfigureAwait(false);
        }

        var current = await vercel.GetCurrentProductionDeploymentAsync(null, cancellationToken).ConfigureAwait(false)
            ?? throw new HotmessException("VercelNoProductionDeployment", FailureKind.NotFound,
                $"Project '{vercel.Settings.ProjectId}' has no READY production deployment to redeploy; pass -DeploymentId.", vercel.Settings.ProjectId);
        log.Verbose($"Redeploying {current.DeploymentId}, which serves production.");
        return current;
    }

    /// <summary>
    /// Starts the new build; with <paramref name="waitTimeout"/> waits until it is READY and fails with
    /// <c>VercelDeploymentFailed</c> when it ends in ERROR or CANCELED (or <c>VercelDeploymentTimedOut</c>).
    /// </summary>
    public async Task<VercelDeployment> RedeployAsync(VercelDeployment source, string? target, TimeSpan? waitTimeout, CancellationToken cancellationToken)
    {
        var created = await vercel.RedeployAsync(source, target, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Vercel created deployment {created.DeploymentId} ({created.State}) from {source.DeploymentId}.");
        if (waitTimeout is null)
        {
            return created;
        }

        var finished = await vercel.WaitForDeploymentAsync(created.DeploymentId, waitTimeout.Value, cancellationToken).ConfigureAwait(false);
        if (!finished.IsReady)
        {
            var reason = finished.ErrorMessage is null ? "" : $": {finished.ErrorCode} {finished.ErrorMessage}".TrimEnd();
            throw new HotmessException("VercelDeploymentFailed", FailureKind.RemoteServiceFailed,
                $"The redeployment {finished.DeploymentId} of {source.DeploymentId} ended {finished.State}{reason}.", finished.DeploymentId);
        }

        if (finished.IsProduction && finished.ReadySubstate == "STAGED")
        {
            // After an instant rollback Vercel stops moving production to new deployments until one is promoted.
            log.Warning($"Deployment {finished.DeploymentId} is READY but staged: production still points at the deployment of the last rollback. Promote {finished.DeploymentId} to serve it.");
        }

        return finished;
    }
}
