using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Environments;

/// <summary>Where a platform keeps its environment variables (Vercel's project settings): read them all with values, write some back.</summary>
public interface IEnvironmentVariableStore
{
    /// <summary>A short name recorded in manifests: <c>vercel</c>.</summary>
    string Kind { get; }

    /// <summary>Which project, for manifests and messages: <c>prj_…</c>.</summary>
    string Project { get; }

    /// <summary>
    /// Every variable, with its clear value where the store gives it back; a null value means the store keeps
    /// it write-only (Vercel's <c>sensitive</c> type). Variables the platform manages itself are left out.
    /// </summary>
    Task<IReadOnlyList<StoredVariable>> ReadAllAsync(IOperationLog log, CancellationToken cancellationToken);

    /// <summary>Creates or replaces each variable for its targets.</summary>
    Task WriteAsync(IReadOnlyList<StoredVariable> variables, CancellationToken cancellationToken);
}

/// <summary>One variable of a store: the value is a <see cref="Secret"/> and never printed.</summary>
public sealed record StoredVariable(string Name, Secret? Value, string Type, IReadOnlyList<string> Targets)
{
    public string? GitBranch { get; init; }

    public string? Comment { get; init; }
}
