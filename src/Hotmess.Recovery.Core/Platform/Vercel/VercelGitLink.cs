using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// The Git repository a Vercel project builds from (the project's <c>link</c>), and the <c>gitSource</c> that asks
/// Vercel to build one of its refs (api-contracts §11): GitHub by <c>repoId</c> (else <c>org</c>/<c>repo</c>),
/// GitLab by <c>projectId</c>, Bitbucket by <c>workspaceUuid</c>/<c>repoUuid</c> (else <c>owner</c>/<c>slug</c>).
/// </summary>
public sealed class VercelGitLink
{
    public const string GitHub = "github";
    public const string GitLab = "gitlab";
    public const string Bitbucket = "bitbucket";

    /// <summary><c>github</c>, <c>gitlab</c> or <c>bitbucket</c>.</summary>
    public required string Type { get; init; }

    /// <summary>GitHub organisation, GitLab namespace or Bitbucket owner.</summary>
    public string? Org { get; init; }

    /// <summary>Repository name (GitHub repo, GitLab project name, Bitbucket slug).</summary>
    public string? Repo { get; init; }

    /// <summary>GitHub's numeric repository id or GitLab's project id.</summary>
    public string? RepoId { get; init; }

    public string? WorkspaceUuid { get; init; }

    public string? RepoUuid { get; init; }

    /// <summary>The branch Vercel deploys to production, when the project names one.</summary>
    public string? ProductionBranch { get; init; }

    /// <summary>org/repo as people write it.</summary>
    public string Repository => Org is null ? Repo ?? RepoId ?? "(unnamed)" : $"{Org}/{Repo}";

    /// <summary>
    /// The <c>gitSource</c> body for <paramref name="gitRef"/> (a branch, tag or commit). Fails with
    /// <c>VercelGitSourceUnsupported</c> for another provider or a link without the fields its provider needs.
    /// </summary>
    public IReadOnlyDictionary<string, object> ToGitSource(string gitRef)
    {
        var source = new Dictionary<string, object> { ["type"] = Type, ["ref"] = gitRef };
        switch (Type)
        {
            case GitHub when RepoId is not null && long.TryParse(RepoId, out var repoId):
                source["repoId"] = repoId;
                break;
            case GitHub when Org is not null && Repo is not null:
                source["org"] = Org;
                source["repo"] = Repo;
                break;
            case GitLab when RepoId is not null:
                source["projectId"] = RepoId;
                break;
            case Bitbucket when WorkspaceUuid is not null && RepoUuid is not null:
                source["workspaceUuid"] = WorkspaceUuid;
                source["repoUuid"] = RepoUuid;
                break;
            case Bitbucket when Org is not null && Repo is not null:
                source["owner"] = Org;
                source["slug"] = Repo;
                break;
            default:
                throw new HotmessException("VercelGitSourceUnsupported", FailureKind.InvalidOperation,
                    $"The project's Git connection ({Type}, {Repository}) does not say which repository to build; " +
                    "reconnect the repository in the Vercel project's Git settings.", Repository);
        }

        return source;
    }

    public override string ToString() => $"{Type}:{Repository}";
}
