namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// One Vercel deployment as the cmdlets show it. <see cref="DeploymentId"/> binds by property name to
/// <c>Invoke-HotmessRollback</c> and <c>Invoke-HotmessRedeploy</c>.
/// </summary>
public sealed class VercelDeployment
{
    public required string DeploymentId { get; init; }

    public string? Name { get; init; }

    public string? ProjectId { get; init; }

    /// <summary>https URL of the deployment, or null while Vercel has not assigned one.</summary>
    public string? Url { get; init; }

    /// <summary>QUEUED, BUILDING, INITIALIZING, READY, ERROR, CANCELED or BLOCKED (see <see cref="DeploymentStates"/>).</summary>
    public required string State { get; init; }

    /// <summary><c>production</c>, <c>staging</c>, or null for a preview deployment.</summary>
    public string? Target { get; init; }

    /// <summary>STAGED, ROLLING or PROMOTED for a READY production deployment.</summary>
    public string? ReadySubstate { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public bool? IsRollbackCandidate { get; init; }

    public string? CommitSha { get; init; }

    public string? CommitRef { get; init; }

    /// <summary>What created it, from <c>meta.action</c> (<c>redeploy</c>, <c>promote</c>), or null for a push.</summary>
    public string? Action { get; init; }

    public string? Creator { get; init; }

    public string? InspectorUrl { get; init; }

    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    /// <summary>Whether Vercel has pointed the project's domains at it (<c>aliasAssigned</c>); null when not reported.</summary>
    public bool? AliasAssigned { get; init; }

    /// <summary>The domains pointing at it (<c>alias</c>), as a single deployment reports them.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    public bool IsProduction => string.Equals(Target, "production", StringComparison.OrdinalIgnoreCase);

    public bool IsReady => State == DeploymentStates.Ready;

    /// <summary>True once the deployment can change no more: READY, ERROR or CANCELED.</summary>
    public bool IsFinished => DeploymentStates.Finished.Contains(State);

    public override string ToString() => $"{DeploymentId} ({State}{(Target is null ? "" : ", " + Target)})";
}

/// <summary>The deployment states Vercel reports.</summary>
public static class DeploymentStates
{
    public const string Queued = "QUEUED";
    public const string Initializing = "INITIALIZING";
    public const string Building = "BUILDING";
    public const string Ready = "READY";
    public const string Error = "ERROR";
    public const string Canceled = "CANCELED";
    public const string Blocked = "BLOCKED";

    public static readonly IReadOnlyList<string> All = [Queued, Initializing, Building, Ready, Error, Canceled, Blocked];

    public static readonly IReadOnlySet<string> Finished = new HashSet<string> { Ready, Error, Canceled, Blocked };
}

/// <summary>Which deployments <see cref="VercelClient.GetDeploymentsAsync"/> lists; newest first.</summary>
public sealed record DeploymentFilter
{
    /// <summary><c>production</c> or <c>preview</c>; null for all.</summary>
    public string? Target { get; init; }

    /// <summary>States to keep (sent as a comma list); empty for all.</summary>
    public IReadOnlyList<string> States { get; init; } = [];

    /// <summary>Deployments per request (Vercel's <c>limit</c>), 1 to 100.</summary>
    public int PageSize { get; init; } = 100;
}
