using System.Security.Cryptography;
using System.Text;

namespace Hotmess.Recovery.Fakes.Vercel;

/// <summary>
/// Everything the Vercel fake knows: one project, its deployments, its alias requests (rollback, promote) and
/// its environment variables. State that moves over time is derived from timestamps in <see cref="Tick"/>, which
/// every request calls under the lock: new deployments go QUEUED → BUILDING → READY/ERROR, an alias request
/// pending → in-progress → succeeded/failed, one <see cref="StepMs"/> per stage.
/// </summary>
internal sealed class VercelFakeState
{
    public object Gate { get; } = new();

    public string Token { get; set; } = VercelFake.DefaultToken;

    public string ProjectId { get; set; } = "prj_hotmess";

    public string ProjectName { get; set; } = "hotmess";

    /// <summary>When set, every API call must carry <c>teamId</c> with this value.</summary>
    public string? TeamId { get; set; }

    public string[] ProductionAliases { get; set; } = ["hotmess.london", "www.hotmess.london"];

    /// <summary>The project's Git connection (<c>link</c>); null when none is connected.</summary>
    public FakeGitLink? Link { get; set; } = FakeGitLink.Default();

    /// <summary>Length of each timed stage (QUEUED, BUILDING; pending, in-progress), in milliseconds.</summary>
    public int StepMs { get; set; } = 300;

    public List<FakeDeployment> Deployments { get; } = [];

    public List<FakeEnvironmentVariable> Environment { get; } = [];

    public string? CurrentProductionId { get; set; }

    /// <summary>Vercel stops assigning production to new deployments after a rollback, until a promote.</summary>
    public bool AutoAssignDisabled { get; set; }

    public FakeAliasRequest? LastAliasRequest { get; set; }

    /// <summary>The next N API calls answer 429.</summary>
    public int RateLimitRemaining { get; set; }

    /// <summary>Sent as <c>Retry-After</c> on those 429s; null leaves the header out (X-RateLimit-Reset and the body still carry the reset).</summary>
    public int? RateLimitRetryAfterSeconds { get; set; } = 1;

    /// <summary>Keys whose upsert is listed in <c>failed</c>, with the error code and message to report.</summary>
    public Dictionary<string, (string Code, string Message)> FailingKeys { get; } = new(StringComparer.Ordinal);

    /// <summary>The next N builds end in ERROR.</summary>
    public int FailingBuilds { get; set; }

    /// <summary>Forces the site's health answer; null follows the deployment serving production.</summary>
    public bool? SiteHealthOverride { get; set; }

    public List<RecordedRequest> Requests { get; } = [];

    public static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public FakeDeployment? FindDeployment(string idOrUrl) =>
        Deployments.FirstOrDefault(d => d.Uid == idOrUrl || d.Url == idOrUrl || "https://" + d.Url == idOrUrl);

    public FakeDeployment? Current => CurrentProductionId is null ? null : FindDeployment(CurrentProductionId);

    public bool SiteHealthy => SiteHealthOverride ?? Current?.Healthy ?? false;

    public bool MatchesProject(string? idOrName) => idOrName == ProjectId || idOrName == ProjectName;

    /// <summary>Moves timed deployments and the alias request on to where the clock says they are.</summary>
    public void Tick()
    {
        var now = NowMs();
        foreach (var deployment in Deployments.Where(d => d.Timed && !d.Finished))
        {
            var elapsed = now - deployment.CreatedAt;
            if (elapsed < StepMs)
            {
                deployment.State = "QUEUED";
            }
            else if (elapsed < 2L * StepMs)
            {
                deployment.State = "BUILDING";
                deployment.BuildingAt ??= deployment.CreatedAt + StepMs;
            }
            else if (deployment.BuildFails)
            {
                deployment.State = "ERROR";
                deployment.ErrorCode = "BUILD_FAILED";
                deployment.ErrorMessage = "Command \"npm run build\" exited with 1";
            }
            else
            {
                deployment.State = "READY";
                deployment.ReadyAt = deployment.CreatedAt + 2L * StepMs;
                if (deployment.IsProduction)
                {
                    if (AutoAssignDisabled)
                    {
                        deployment.ReadySubstate = "STAGED";
                    }
                    else
                    {
                        deployment.ReadySubstate = "PROMOTED";
                        deployment.IsRollbackCandidate = true;
                        CurrentProductionId = deployment.Uid;
                    }
                }
            }
        }

        if (LastAliasRequest is { Finished: false } request)
        {
            var elapsed = now - request.RequestedAt;
            var target = FindDeployment(request.ToDeploymentId);
            if (elapsed < StepMs)
            {
                request.JobStatus = "pending";
            }
            else if (elapsed < 2L * StepMs || target?.RollbackHangs == true)
            {
                request.JobStatus = "in-progress";
            }
            else if (target is null || target.RollbackFails)
            {
                request.JobStatus = "failed";
                request.Finished = true;
            }
            else
            {
                request.JobStatus = "succeeded";
                request.Finished = true;
                CurrentProductionId = target.Uid;
                target.ReadySubstate = "PROMOTED";
                target.IsRollbackCandidate = true;
                AutoAssignDisabled = request.Type == "rollback";
            }
        }
    }

    /// <summary>After seeding: production follows the newest READY production deployment unless a rollback pinned it.</summary>
    public void AssignProductionIfAutomatic()
    {
        if (AutoAssignDisabled)
        {
            return;
        }

        var newest = Deployments.Where(d => d.IsProduction && d.State == "READY").MaxBy(d => d.CreatedAt);
        if (newest is not null)
        {
            CurrentProductionId = newest.Uid;
            newest.ReadySubstate = "PROMOTED";
        }
    }

    public IEnumerable<FakeDeployment> NewestFirst() => Deployments.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Uid, StringComparer.Ordinal);

    public static string NewId(string prefix) => prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant();

    /// <summary>What an encrypted value looks like when listed without decrypt: opaque, and no clue to the value.</summary>
    public static string Ciphertext(FakeEnvironmentVariable variable) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(variable.Id + ":" + variable.Value)));
}

internal sealed class FakeDeployment
{
    public required string Uid { get; init; }

    public required string Name { get; init; }

    public required string Url { get; init; }

    public string? Target { get; init; }

    public required long CreatedAt { get; init; }

    public required string State { get; set; }

    public string? ReadySubstate { get; set; }

    public bool IsRollbackCandidate { get; set; }

    public Dictionary<string, string> Meta { get; init; } = [];

    public string Source { get; init; } = "git";

    public long? BuildingAt { get; set; }

    public long? ReadyAt { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    /// <summary>Created through the API: its state follows the clock.</summary>
    public bool Timed { get; init; }

    public bool BuildFails { get; init; }

    /// <summary>Whether the site answers healthy while this deployment serves production.</summary>
    public bool Healthy { get; init; } = true;

    /// <summary>A rollback to this deployment ends failed.</summary>
    public bool RollbackFails { get; set; }

    /// <summary>A rollback to this deployment stays in-progress for ever.</summary>
    public bool RollbackHangs { get; set; }

    public bool IsProduction => Target == "production";

    public bool Finished => State is "READY" or "ERROR" or "CANCELED" or "BLOCKED";
}

/// <summary>A project's <c>link</c> to its repository, and the branches and tags that repository has.</summary>
internal sealed class FakeGitLink
{
    public required string Type { get; init; }

    public string? Org { get; init; }

    public string? Repo { get; init; }

    public long? RepoId { get; init; }

    public string? ProjectId { get; init; }

    public string? WorkspaceUuid { get; init; }

    public string? RepoUuid { get; init; }

    public string ProductionBranch { get; init; } = "main";

    public List<string> Refs { get; init; } = ["main", "develop", "v1.0.0"];

    public static FakeGitLink Default() => new() { Type = "github", Org = "hotmess-london", Repo = "hotmess", RepoId = 734512 };
}

internal sealed class FakeAliasRequest
{
    public required string? FromDeploymentId { get; init; }

    public required string ToDeploymentId { get; init; }

    public required string Type { get; init; }

    public required long RequestedAt { get; init; }

    public string JobStatus { get; set; } = "pending";

    public bool Finished { get; set; }
}

internal sealed class FakeEnvironmentVariable
{
    public required string Id { get; init; }

    public required string Key { get; set; }

    public required string Value { get; set; }

    public required string Type { get; set; }

    public required List<string> Target { get; set; }

    public string? GitBranch { get; set; }

    public string? Comment { get; set; }

    public required long CreatedAt { get; init; }

    public required long UpdatedAt { get; set; }
}

internal sealed record RecordedRequest(string Method, string Path, string Query);
