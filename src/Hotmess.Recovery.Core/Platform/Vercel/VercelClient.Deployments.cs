using System.Net;
using System.Runtime.CompilerServices;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Vercel;

// Deployments, rollback, promote and redeploy (api-contracts §3.1 to §3.5).
public sealed partial class VercelClient
{
    private const int ProgressActivityId = 3100;

    /// <summary>
    /// Lists the project's deployments newest first, following <c>pagination.next</c> into <c>until</c> until
    /// Vercel answers <c>next: null</c>. Stop enumerating to stop fetching.
    /// </summary>
    public async IAsyncEnumerable<VercelDeployment> GetDeploymentsAsync(
        DeploymentFilter filter,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var pageSize = Math.Clamp(filter.PageSize, 1, 100);
        var call = ProjectCall("listing deployments");
        long? until = null;
        while (true)
        {
            var page = await GetJsonAsync<DeploymentListWire>("/v6/deployments",
                [
                    Q("projectId", _settings.ProjectId),
                    Q("target", filter.Target),
                    Q("state", filter.States.Count == 0 ? null : string.Join(",", filter.States)),
                    Q("limit", pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    Q("until", until?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ], call, cancellationToken).ConfigureAwait(false);

            foreach (var deployment in page.Deployments)
            {
                yield return deployment.ToModel();
            }

            var next = page.Pagination?.Next;
            if (next is null || page.Deployments.Count == 0)
            {
                yield break;
            }

            if (until is not null && next >= until)
            {
                throw new HotmessException("VercelResponseInvalid", FailureKind.InvalidData,
                    $"Vercel's deployment list does not move on (next {next} after until {until}).", _settings.ProjectId);
            }

            until = next;
        }
    }

    /// <summary>One deployment by id (<c>dpl_…</c>) or URL; <c>VercelDeploymentNotFound</c> when Vercel has none.</summary>
    public async Task<VercelDeployment> GetDeploymentAsync(string idOrUrl, CancellationToken cancellationToken = default)
    {
        var wire = await GetJsonAsync<DeploymentWire>($"/v13/deployments/{Uri.EscapeDataString(idOrUrl)}", NoQuery,
            DeploymentCall("reading the deployment", idOrUrl), cancellationToken).ConfigureAwait(false);
        return wire.ToModel();
    }

    /// <summary>The project with its <c>lastAliasRequest</c> (<c>rollbackInfo=true</c>).</summary>
    public async Task<VercelProject> GetProjectAsync(CancellationToken cancellationToken = default)
    {
        var wire = await GetJsonAsync<ProjectWire>($"/v9/projects/{ProjectPath}", [Q("rollbackInfo", "true")],
            ProjectCall("reading the project"), cancellationToken).ConfigureAwait(false);
        return wire.ToModel();
    }

    /// <summary>
    /// The deployment serving production: the target of the last succeeded rollback or promote (Vercel stops
    /// moving production on its own after those), otherwise the newest READY production deployment; null when
    /// the project has none.
    /// </summary>
    public async Task<VercelDeployment?> GetCurrentProductionDeploymentAsync(VercelProject? project = null, CancellationToken cancellationToken = default)
    {
        project ??= await GetProjectAsync(cancellationToken).ConfigureAwait(false);
        if (project.LastAliasRequest is { JobStatus: AliasRequest.Succeeded, ToDeploymentId: { } current })
        {
            return await GetDeploymentAsync(current, cancellationToken).ConfigureAwait(false);
        }

        var filter = new DeploymentFilter { Target = EnvironmentTargets.Production, States = [DeploymentStates.Ready], PageSize = 1 };
        await foreach (var deployment in GetDeploymentsAsync(filter, cancellationToken).ConfigureAwait(false))
        {
            return deployment;
        }

        return null;
    }

    /// <summary>
    /// Starts an instant rollback of production to <paramref name="deploymentId"/> (Vercel answers 201 with no
    /// body). Follow it with <see cref="WaitForAliasRequestAsync"/>.
    /// </summary>
    public async Task RequestRollbackAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v9/projects/{ProjectPath}/rollback/{Uri.EscapeDataString(deploymentId)}",
            NoQuery, new { }, DeploymentCall("requesting the rollback", deploymentId), cancellationToken, RetryRule.OnlyWhenNotAccepted).ConfigureAwait(false);
    }

    /// <summary>Starts promoting <paramref name="deploymentId"/> to production: 201 started, 202 queued.</summary>
    public async Task<PromoteOutcome> RequestPromoteAsync(string deploymentId, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Post, $"/v10/projects/{ProjectPath}/promote/{Uri.EscapeDataString(deploymentId)}",
            NoQuery, new { }, DeploymentCall("requesting the promotion", deploymentId), cancellationToken, RetryRule.OnlyWhenNotAccepted).ConfigureAwait(false);
        return response.StatusCode == HttpStatusCode.Accepted ? PromoteOutcome.Queued : PromoteOutcome.Started;
    }

    /// <summary>
    /// Polls <c>lastAliasRequest</c> until the request moving production to <paramref name="toDeploymentId"/>
    /// (made at or after <paramref name="requestedAfter"/>, give or take a minute of clock skew) leaves
    /// pending/in-progress; returns it as it ended (succeeded, failed or skipped). Fails with
    /// <c>VercelAliasRequestTimedOut</c> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<AliasRequest> WaitForAliasRequestAsync(string toDeploymentId, DateTimeOffset requestedAfter, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var delay = TimeSpan.Zero;
        var lastStatus = AliasRequest.Pending;
        try
        {
            while (true)
            {
                var project = await GetProjectAsync(cancellationToken).ConfigureAwait(false);
                if (project.LastAliasRequest is { } request && request.ToDeploymentId == toDeploymentId &&
                    (request.RequestedAt is null || request.RequestedAt >= requestedAfter - TimeSpan.FromMinutes(1)))
                {
                    if (!request.IsRunning)
                    {
                        return request;
                    }

                    if (request.JobStatus != lastStatus)
                    {
                        _log.Verbose($"Vercel {request.Type ?? "alias"} request to {toDeploymentId}: {request.JobStatus}.");
                        lastStatus = request.JobStatus;
                    }
                }

                var elapsed = _time.GetUtcNow() - started;
                _log.Progress(new OperationProgress(ProgressActivityId, $"Moving production to {toDeploymentId}",
                    $"{lastStatus} ({elapsed.TotalSeconds:0} s)"));
                if (elapsed >= timeout)
                {
                    throw new HotmessException("VercelAliasRequestTimedOut", FailureKind.Timeout,
                        $"Production did not finish moving to {toDeploymentId} within {timeout.TotalSeconds:0} s (last status: {lastStatus}).", toDeploymentId);
                }

                delay = NextPollDelay(delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _log.Progress(new OperationProgress(ProgressActivityId, $"Moving production to {toDeploymentId}", lastStatus, Completed: true));
        }
    }

    /// <summary>The production aliases a failed rollback could not move (<c>failedOnly=true</c>), first 20.</summary>
    public async Task<IReadOnlyList<FailedAlias>> GetFailedRollbackAliasesAsync(CancellationToken cancellationToken = default)
    {
        var wire = await GetJsonAsync<FailedAliasListWire>($"/v9/projects/{ProjectPath}/rollback/aliases",
            [Q("failedOnly", "true"), Q("limit", "20")], ProjectCall("listing the aliases of the failed rollback"), cancellationToken).ConfigureAwait(false);
        return wire.Aliases
            .Select(a => new FailedAlias(a.Alias?.Alias ?? a.Id ?? "(unnamed)", a.Alias?.DeploymentId, a.Status ?? AliasRequest.Failed))
            .ToList();
    }

    /// <summary>
    /// Builds <paramref name="source"/> again as a new deployment (<c>POST /v13/deployments?forceNew=1</c>, meta
    /// action <c>redeploy</c>) for <paramref name="target"/> (the source's own target when null). The new
    /// deployment starts QUEUED; follow it with <see cref="WaitForDeploymentAsync"/>.
    /// </summary>
    public async Task<VercelDeployment> RedeployAsync(VercelDeployment source, string? target = null, CancellationToken cancellationToken = default)
    {
        var body = new Dictionary<string, object?>
        {
            ["deploymentId"] = source.DeploymentId,
            ["name"] = source.Name ?? _settings.ProjectId,
            ["meta"] = new Dictionary<string, string> { ["action"] = "redeploy" },
        };
        if ((target ?? source.Target) is { } resolvedTarget)
        {
            body["target"] = resolvedTarget;
        }

        using var response = await SendAsync(HttpMethod.Post, "/v13/deployments", [Q("forceNew", "1")], body,
            DeploymentCall("redeploying", source.DeploymentId), cancellationToken, RetryRule.OnlyWhenNotAccepted).ConfigureAwait(false);
        var created = await ReadJsonAsync<DeploymentWire>(response, DeploymentCall("redeploying", source.DeploymentId), cancellationToken).ConfigureAwait(false);
        return created.ToModel();
    }

    /// <summary>
    /// Creates a deployment that Vercel builds from the project's Git repository (<c>POST /v13/deployments</c> with
    /// a <c>gitSource</c>, what <c>vercel --prod</c> does for a connected repository) for <paramref name="target"/>
    /// (<c>production</c>; preview when null). The new deployment starts QUEUED; follow it with
    /// <see cref="WaitForDeploymentAsync"/>. Tried again only after a 429 or a connection that never opened.
    /// </summary>
    public async Task<VercelDeployment> CreateGitDeploymentAsync(
        string name, IReadOnlyDictionary<string, object> gitSource, string? target, CancellationToken cancellationToken = default)
    {
        var body = new Dictionary<string, object?>
        {
            ["name"] = name,
            ["project"] = _settings.ProjectId,
            ["gitSource"] = gitSource,
        };
        if (target is not null)
        {
            body["target"] = target;
        }

        var call = ProjectCall($"creating a deployment of {gitSource["type"]} ref '{gitSource["ref"]}'");
        using var response = await SendAsync(HttpMethod.Post, "/v13/deployments", NoQuery, body, call, cancellationToken, RetryRule.OnlyWhenNotAccepted)
            .ConfigureAwait(false);
        var created = await ReadJsonAsync<DeploymentWire>(response, call, cancellationToken).ConfigureAwait(false);
        return created.ToModel();
    }

    /// <summary>
    /// Polls a READY production deployment until Vercel has pointed the production domains at it
    /// (<c>aliasAssigned</c>) or reports it STAGED (production pinned by a rollback: only a promote moves it);
    /// returns it as last read. Fails with <c>VercelDeploymentNotServing</c> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<VercelDeployment> WaitForProductionAliasAsync(string deploymentId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var delay = TimeSpan.Zero;
        while (true)
        {
            var deployment = await GetDeploymentAsync(deploymentId, cancellationToken).ConfigureAwait(false);
            if (deployment.AliasAssigned == true || deployment.ReadySubstate == "STAGED" ||
                (deployment.AliasAssigned is null && deployment.ReadySubstate == "PROMOTED"))
            {
                return deployment;
            }

            if (_time.GetUtcNow() - started >= timeout)
            {
                throw new HotmessException("VercelDeploymentNotServing", FailureKind.Timeout,
                    $"Deployment {deploymentId} is READY but Vercel had not pointed production at it after {timeout.TotalSeconds:0} s.", deploymentId);
            }

            delay = NextPollDelay(delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Polls a deployment until it is READY, ERROR, CANCELED or BLOCKED and returns it in that state; fails
    /// with <c>VercelDeploymentTimedOut</c> after <paramref name="timeout"/>.
    /// </summary>
    public async Task<VercelDeployment> WaitForDeploymentAsync(string deploymentId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var delay = TimeSpan.Zero;
        string? lastState = null;
        try
        {
            while (true)
            {
                var deployment = await GetDeploymentAsync(deploymentId, cancellationToken).ConfigureAwait(false);
                if (deployment.State != lastState)
                {
                    _log.Verbose($"Deployment {deploymentId}: {deployment.State}.");
                    lastState = deployment.State;
                }

                if (deployment.IsFinished)
                {
                    return deployment;
                }

                var elapsed = _time.GetUtcNow() - started;
                _log.Progress(new OperationProgress(ProgressActivityId + 1, $"Building {deploymentId}", $"{deployment.State} ({elapsed.TotalSeconds:0} s)"));
                if (elapsed >= timeout)
                {
                    throw new HotmessException("VercelDeploymentTimedOut", FailureKind.Timeout,
                        $"Deployment {deploymentId} is still {deployment.State} after {timeout.TotalSeconds:0} s.", deploymentId);
                }

                delay = NextPollDelay(delay);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _log.Progress(new OperationProgress(ProgressActivityId + 1, $"Building {deploymentId}", lastState ?? "", Completed: true));
        }
    }

    private static Call DeploymentCall(string operation, string deploymentId) =>
        new(operation, $"Deployment '{deploymentId}'", "VercelDeploymentNotFound", deploymentId);
}
