namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>The parts of a Vercel project that rollback and a deployment from Git need.</summary>
public sealed class VercelProject
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    /// <summary>The Git repository the project builds from (Vercel's <c>link</c>); null when none is connected.</summary>
    public VercelGitLink? Link { get; init; }

    /// <summary>The latest rollback or promote, when Vercel reports one (<c>rollbackInfo=true</c>).</summary>
    public AliasRequest? LastAliasRequest { get; init; }
}

/// <summary>
/// Vercel's <c>lastAliasRequest</c>: a rollback or promote moving production from one deployment to another.
/// <see cref="JobStatus"/> goes pending → in-progress → succeeded | failed (or skipped).
/// </summary>
public sealed record AliasRequest(
    string? FromDeploymentId,
    string? ToDeploymentId,
    string JobStatus,
    DateTimeOffset? RequestedAt,
    string? Type)
{
    public const string Pending = "pending";
    public const string InProgress = "in-progress";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Skipped = "skipped";

    /// <summary>Vercel's own CLI treats an older pending request as abandoned.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(3);

    public bool IsRunning => JobStatus is Pending or InProgress;

    public bool IsRunningAt(DateTimeOffset now) => IsRunning && (RequestedAt is null || now - RequestedAt.Value < StaleAfter);
}

/// <summary>A production alias that a failed rollback could not move.</summary>
public sealed record FailedAlias(string Alias, string? DeploymentId, string Status);

/// <summary>What Vercel answered to a promote request.</summary>
public enum PromoteOutcome
{
    /// <summary>201: the promote started.</summary>
    Started,

    /// <summary>202: queued behind an active rolling release.</summary>
    Queued,
}
