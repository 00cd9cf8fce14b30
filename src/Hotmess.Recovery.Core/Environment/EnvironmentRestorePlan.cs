using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Environments;

/// <summary>
/// What an environment restore would write, decided before anything is written: each selected variable with the
/// targets it will be written for, and the selected ones the set holds no value for (skipped, with the reason).
/// </summary>
public sealed class EnvironmentRestorePlan
{
    private EnvironmentRestorePlan(BackupSet set, IReadOnlyList<StoredVariable> variables, IReadOnlyList<StoredVariable> withoutValue)
    {
        Set = set;
        Variables = variables;
        WithoutValue = withoutValue;
    }

    public BackupSet Set { get; }

    /// <summary>The variables to write, each narrowed to the targets asked for.</summary>
    public IReadOnlyList<StoredVariable> Variables { get; }

    /// <summary>Selected variables the set has no value for (Vercel did not give it back when the set was taken).</summary>
    public IReadOnlyList<StoredVariable> WithoutValue { get; }

    public static EnvironmentRestorePlan Build(BackupSet set, IReadOnlyList<StoredVariable> stored, EnvironmentRestoreSelection selection)
    {
        var variables = new List<StoredVariable>();
        var withoutValue = new List<StoredVariable>();
        foreach (var variable in stored.Where(v => selection.NameFilter?.Invoke(v.Name) ?? true))
        {
            var targets = selection.Targets is null
                ? variable.Targets
                : variable.Targets.Intersect(selection.Targets, StringComparer.Ordinal).ToList();
            if (targets.Count == 0)
            {
                continue;
            }

            (variable.Value is null ? withoutValue : variables).Add(variable with { Targets = targets });
        }

        return new EnvironmentRestorePlan(set, variables, withoutValue);
    }

    /// <summary>Names a variable of the plan for a confirmation prompt or a message; never its value.</summary>
    public static string Describe(StoredVariable variable) => $"{variable.Name} ({variable.Type}, {string.Join(", ", variable.Targets)})";

    /// <summary>Why a variable is skipped, and what to do instead.</summary>
    public string SkipReason(StoredVariable variable) =>
        $"Environment set {Set.Id} holds no value for {Describe(variable)}: Vercel did not give it back when the set was taken. Set it with Set-HotmessSecret.";
}
