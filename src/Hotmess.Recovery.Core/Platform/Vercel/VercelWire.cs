using System.Text.Json;

namespace Hotmess.Recovery.Platform.Vercel;

// Vercel's JSON as it arrives (api-contracts §3); mapped at once to the public models.

internal sealed class ErrorEnvelopeWire
{
    public ErrorWire? Error { get; set; }

    // Vercel's CLI also reads `err`.
    public ErrorWire? Err { get; set; }
}

internal sealed class ErrorWire
{
    public string? Code { get; set; }

    public string? Message { get; set; }

    public RateLimitWire? Limit { get; set; }

    public string? Key { get; set; }

    public string? EnvVarId { get; set; }
}

internal sealed class RateLimitWire
{
    public long? Remaining { get; set; }

    public long? Reset { get; set; }

    public long? ResetMs { get; set; }

    public long? Total { get; set; }
}

internal sealed class PaginationWire
{
    public long? Count { get; set; }

    public long? Next { get; set; }

    public long? Prev { get; set; }
}

internal sealed class DeploymentListWire
{
    public PaginationWire? Pagination { get; set; }

    public List<DeploymentWire> Deployments { get; set; } = [];
}

internal sealed class DeploymentWire
{
    public string? Uid { get; set; }

    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? ProjectId { get; set; }

    public string? Url { get; set; }

    public long? Created { get; set; }

    public long? CreatedAt { get; set; }

    public string? State { get; set; }

    public string? ReadyState { get; set; }

    public string? ReadySubstate { get; set; }

    public string? Target { get; set; }

    public Dictionary<string, JsonElement>? Meta { get; set; }

    public CreatorWire? Creator { get; set; }

    public string? InspectorUrl { get; set; }

    public bool? IsRollbackCandidate { get; set; }

    public string? ErrorCode { get; set; }

    public string? ErrorMessage { get; set; }

    // A boolean in a single deployment, a timestamp (or null) in a list.
    public JsonElement AliasAssigned { get; set; }

    public List<string>? Alias { get; set; }

    public VercelDeployment ToModel()
    {
        var id = Uid ?? Id ?? throw new JsonException("A deployment without an id.");
        var created = Created ?? CreatedAt;
        return new VercelDeployment
        {
            DeploymentId = id,
            Name = Name,
            ProjectId = ProjectId,
            Url = string.IsNullOrEmpty(Url) ? null : Url.Contains("://", StringComparison.Ordinal) ? Url : "https://" + Url,
            State = (State ?? ReadyState ?? "UNKNOWN").ToUpperInvariant(),
            Target = Target,
            ReadySubstate = ReadySubstate,
            CreatedAt = created is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(created.Value),
            IsRollbackCandidate = IsRollbackCandidate,
            CommitSha = MetaString("githubCommitSha"),
            CommitRef = MetaString("githubCommitRef"),
            Action = MetaString("action"),
            Creator = Creator?.Username ?? Creator?.Uid,
            InspectorUrl = InspectorUrl,
            ErrorCode = ErrorCode,
            ErrorMessage = ErrorMessage,
            AliasAssigned = AliasAssigned.ValueKind switch
            {
                JsonValueKind.True or JsonValueKind.Number => true,
                JsonValueKind.False => false,
                _ => null,
            },
            Aliases = Alias ?? [],
        };
    }

    private string? MetaString(string key) =>
        Meta is not null && Meta.TryGetValue(key, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

internal sealed class CreatorWire
{
    public string? Uid { get; set; }

    public string? Username { get; set; }
}

internal sealed class ProjectWire
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public AliasRequestWire? LastAliasRequest { get; set; }

    public GitLinkWire? Link { get; set; }

    public VercelProject ToModel() => new()
    {
        Id = Id ?? throw new JsonException("A project without an id."),
        Name = Name,
        LastAliasRequest = LastAliasRequest?.ToModel(),
        Link = Link?.Type is { Length: > 0 } ? Link.ToModel() : null,
    };
}

/// <summary>A project's <c>link</c>: GitHub (org, repo, repoId), GitLab (projectId…) or Bitbucket (owner, slug, uuids).</summary>
internal sealed class GitLinkWire
{
    public string? Type { get; set; }

    public string? Org { get; set; }

    public string? Repo { get; set; }

    // A number for GitHub, a string for GitLab's projectId.
    public JsonElement RepoId { get; set; }

    public JsonElement ProjectId { get; set; }

    public string? ProjectNamespace { get; set; }

    public string? ProjectName { get; set; }

    public string? Owner { get; set; }

    public string? Slug { get; set; }

    public string? Name { get; set; }

    public string? WorkspaceUuid { get; set; }

    public string? Uuid { get; set; }

    public string? ProductionBranch { get; set; }

    public VercelGitLink ToModel() => new()
    {
        Type = Type!.ToLowerInvariant(),
        Org = Org ?? ProjectNamespace ?? Owner,
        Repo = Repo ?? ProjectName ?? Slug ?? Name,
        RepoId = Scalar(RepoId) ?? Scalar(ProjectId),
        WorkspaceUuid = WorkspaceUuid,
        RepoUuid = Uuid,
        ProductionBranch = ProductionBranch,
    };

    private static string? Scalar(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.GetRawText(),
        _ => null,
    };
}

internal sealed class AliasRequestWire
{
    public string? FromDeploymentId { get; set; }

    public string? ToDeploymentId { get; set; }

    public string? JobStatus { get; set; }

    public long? RequestedAt { get; set; }

    public string? Type { get; set; }

    public AliasRequest ToModel() => new(
        FromDeploymentId,
        ToDeploymentId,
        JobStatus ?? AliasRequest.Pending,
        RequestedAt is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(RequestedAt.Value),
        Type);
}

internal sealed class FailedAliasListWire
{
    public List<FailedAliasWire> Aliases { get; set; } = [];
}

internal sealed class FailedAliasWire
{
    public AliasWire? Alias { get; set; }

    public string? Id { get; set; }

    public string? Status { get; set; }
}

internal sealed class AliasWire
{
    public string? Alias { get; set; }

    public string? DeploymentId { get; set; }
}

internal sealed class EnvironmentListWire
{
    public List<EnvironmentVariableWire> Envs { get; set; } = [];
}

internal sealed class EnvironmentVariableWire
{
    public string? Id { get; set; }

    public string? Key { get; set; }

    public string? Value { get; set; }

    public string? Type { get; set; }

    // An array, though older answers carry a single string.
    public JsonElement Target { get; set; }

    public string? GitBranch { get; set; }

    public string? Comment { get; set; }

    public long? CreatedAt { get; set; }

    public long? UpdatedAt { get; set; }

    public bool? Decrypted { get; set; }

    public VercelEnvironmentVariable ToModel()
    {
        var type = Type ?? EnvironmentVariableTypes.Encrypted;
        return new VercelEnvironmentVariable
        {
            Id = Id ?? throw new JsonException("An environment variable without an id."),
            Key = Key ?? throw new JsonException("An environment variable without a key."),
            Value = type == EnvironmentVariableTypes.Sensitive ? null : Common.Secret.FromNullable(Value),
            Decrypted = Decrypted == true || type == EnvironmentVariableTypes.Plain,
            Type = type,
            Targets = Target.ValueKind switch
            {
                JsonValueKind.Array => Target.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToArray(),
                JsonValueKind.String => [Target.GetString()!],
                _ => [],
            },
            GitBranch = GitBranch,
            Comment = Comment,
            CreatedAt = CreatedAt is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(CreatedAt.Value),
            UpdatedAt = UpdatedAt is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(UpdatedAt.Value),
        };
    }
}

internal sealed class UpsertResponseWire
{
    // An object for a single variable, an array for several.
    public JsonElement Created { get; set; }

    public List<ErrorEnvelopeWire> Failed { get; set; } = [];
}
