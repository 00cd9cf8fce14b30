using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Environments;

/// <summary>
/// What an environment restore would write, decided before anything is written: each selected variable with the
/// targets it will be written for and the value to write, and the selected ones that still have no value.
/// </summary>
public sealed class EnvironmentRestorePlan
{
    private readonly IReadOnlyDictionary<string, EnvironmentValueSource> _sources;

    private EnvironmentRestorePlan(
        BackupSet set,
        IReadOnlyList<StoredVariable> variables,
        IReadOnlyList<StoredVariable> withoutValue,
        IReadOnlyDictionary<string, EnvironmentValueSource> sources)
    {
        Set = set;
        Variables = variables;
        WithoutValue = withoutValue;
        _sources = sources;
    }

    public BackupSet Set { get; }

    /// <summary>The variables to write, each narrowed to the targets asked for, in the set's order.</summary>
    public IReadOnlyList<StoredVariable> Variables { get; }

    /// <summary>Selected variables with no value yet: the set has none (Vercel did not give it back) and none was found elsewhere.</summary>
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

        return new EnvironmentRestorePlan(set, variables, withoutValue, new Dictionary<string, EnvironmentValueSource>(StringComparer.Ordinal));
    }

    /// <summary>Where the value to write for <paramref name="name"/> comes from.</summary>
    public EnvironmentValueSource SourceOf(string name) =>
        _sources.TryGetValue(name, out var source) ? source : EnvironmentValueSource.EnvironmentSet;

    /// <summary>
    /// The plan with the values of <paramref name="sources"/>: given values replace the set's, and each value the
    /// set lacks is looked for in the given values, then the settings, then asked for. Fails with
    /// <c>EnvironmentValueNotInSet</c> when a given name is not a selected variable of the set, and, unless
    /// <paramref name="allowMissing"/>, with <c>EnvironmentValuesMissing</c> naming every variable still without a
    /// value; both before anything is written.
    /// </summary>
    public EnvironmentRestorePlan Complete(EnvironmentValueSources sources, bool allowMissing = false)
    {
        var names = Variables.Concat(WithoutValue).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = sources.Given.Keys.Where(name => !names.Contains(name)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new HotmessException("EnvironmentValueNotInSet", FailureKind.InvalidArgument,
                $"Environment set {Set.Id} has no variable {string.Join(", ", unknown)} among those selected for the restore, so " +
                $"{(unknown.Count == 1 ? "its value has" : "their values have")} nowhere to go; set {(unknown.Count == 1 ? "it" : "them")} with Set-HotmessSecret.",
                unknown.ToArray());
        }

        var chosen = new Dictionary<string, EnvironmentValueSource>(_sources, StringComparer.Ordinal);
        var found = new Dictionary<string, Secret>(StringComparer.Ordinal);
        foreach (var (name, value) in sources.Given)
        {
            found[name] = value;
            chosen[name] = EnvironmentValueSource.Given;
        }

        foreach (var variable in WithoutValue.DistinctBy(v => v.Name))
        {
            if (found.ContainsKey(variable.Name))
            {
                continue;
            }

            if (sources.Setting?.Invoke(variable.Name) is { } setting)
            {
                found[variable.Name] = setting;
                chosen[variable.Name] = EnvironmentValueSource.Setting;
            }
        }

        // Asked last, once every other source has had its say, so a person is asked only for what nothing else holds.
        foreach (var variable in WithoutValue.DistinctBy(v => v.Name).Where(v => !found.ContainsKey(v.Name)))
        {
            if (sources.Prompt?.Invoke(variable) is { } typed)
            {
                found[variable.Name] = typed;
                chosen[variable.Name] = EnvironmentValueSource.Prompt;
            }
        }

        var missing = WithoutValue.Where(v => !found.ContainsKey(v.Name)).ToList();
        if (missing.Count > 0 && !allowMissing)
        {
            throw MissingValues(missing);
        }

        var variables = Variables.Concat(WithoutValue.Where(v => found.ContainsKey(v.Name)))
            .Select(v => found.TryGetValue(v.Name, out var value) ? v with { Value = value } : v)
            .ToList();
        return new EnvironmentRestorePlan(Set, variables, missing, chosen);
    }

    /// <summary>Names a variable of the plan for a confirmation prompt or a message; never its value.</summary>
    public static string Describe(StoredVariable variable) => $"{variable.Name} ({variable.Type}, {string.Join(", ", variable.Targets)})";

    /// <summary>Why a variable has no value, and where one can come from.</summary>
    public string MissingReason(StoredVariable variable) =>
        $"Environment set {Set.Id} holds no value for {Describe(variable)}: Vercel does not give it back. " +
        "Give it with -Value, or as an Azure Automation variable or environment variable of that name.";

    private HotmessException MissingValues(IReadOnlyList<StoredVariable> missing)
    {
        var names = missing.Select(v => v.Name).Distinct(StringComparer.Ordinal).ToArray();
        return new HotmessException("EnvironmentValuesMissing", FailureKind.InvalidArgument,
            $"Environment set {Set.Id} holds no value for {string.Join(", ", missing.Select(Describe))}: Vercel does not give sensitive values back. " +
            $"Nothing was written. Give {(names.Length == 1 ? "it" : "them")} with -Value @{{ {string.Join("; ", names.Select(n => n + " = ..."))} }}, " +
            "or as Azure Automation variables (or environment variables) of the same names.",
            names);
    }
}
