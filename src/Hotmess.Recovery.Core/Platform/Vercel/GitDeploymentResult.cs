namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// A deployment built from the project's Git repository by <see cref="GitDeployment"/>: where it stands, whether it
/// serves production and whether the site answered healthy. <see cref="DeploymentId"/> binds by property name to
/// <c>Invoke-HotmessRollback</c> and <c>Invoke-HotmessRedeploy</c>.
/// </summary>
public sealed class GitDeploymentResult
{
    /// <summary>The new deployment's id (<c>dpl_…</c>).</summary>
    public required string Id { get; init; }

    public string DeploymentId => Id;

    public string? Url { get; init; }

    /// <summary>READY once the build succeeded (other end states raise <c>VercelDeploymentFailed</c>).</summary>
    public required string State { get; init; }

    /// <summary><c>production</c>, or null for a preview.</summary>
    public string? Target { get; init; }

    /// <summary>The branch, tag or commit built.</summary>
    public required string GitRef { get; init; }

    public string? CommitSha { get; init; }

    /// <summary>The repository built, as org/repo.</summary>
    public required string Repository { get; init; }

    /// <summary>True when the production domains point at it (checked for a production deployment only).</summary>
    public bool ServingProduction { get; init; }

    /// <summary>True when it had to be promoted because a rollback had pinned production.</summary>
    public bool Promoted { get; init; }

    public string? InspectorUrl { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required DateTimeOffset CompletedAt { get; init; }

    /// <summary>From the request to the last check (build, alias and health).</summary>
    public TimeSpan Duration => CompletedAt - StartedAt;

    /// <summary>The health endpoint checked, or null when none was.</summary>
    public string? HealthUrl { get; init; }

    /// <summary>True when the site answered healthy afterwards; null when not checked (-SkipHealthCheck or a preview).</summary>
    public bool? Healthy { get; init; }

    public string? HealthDetail { get; init; }

    public override string ToString() => $"{Id} ({State}{(Target is null ? "" : ", " + Target)}, {GitRef})";
}
