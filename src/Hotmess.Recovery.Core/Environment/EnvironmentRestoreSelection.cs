namespace Hotmess.Recovery.Environments;

/// <summary>
/// Which part of an environment set to restore: the names a caller's filter accepts (all when null) and the
/// targets asked for (every target a variable had when null).
/// </summary>
public sealed record EnvironmentRestoreSelection(Func<string, bool>? NameFilter = null, IReadOnlyList<string>? Targets = null)
{
    public static EnvironmentRestoreSelection All { get; } = new();
}
