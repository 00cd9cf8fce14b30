namespace Hotmess.Recovery.Environments;

/// <summary>One variable written back from an environment set; its value is not part of it.</summary>
public sealed record EnvironmentRestoreResult(string Name, IReadOnlyList<string> Targets, string Type, string Store, string Project, string SetId)
{
    /// <summary>Where the value written came from: the set, -Value, a setting, or a prompt.</summary>
    public EnvironmentValueSource ValueSource { get; init; }
}
