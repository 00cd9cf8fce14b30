using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Environments;

/// <summary>Where the value written for a variable came from; never the value itself.</summary>
public enum EnvironmentValueSource
{
    /// <summary>The environment set.</summary>
    EnvironmentSet,

    /// <summary>Given by the caller (<c>-Value</c>), replacing the set's or filling what it lacks.</summary>
    Given,

    /// <summary>A setting of the same name: the Azure Automation variable, else the environment variable.</summary>
    Setting,

    /// <summary>Typed in by the person running the restore.</summary>
    Prompt,
}

/// <summary>
/// Where <see cref="EnvironmentRestorePlan.Complete"/> finds values, in this order: <see cref="Given"/> replaces
/// the set's value or fills one the set lacks; for a value the set lacks (Vercel never gives sensitive values
/// back), then <see cref="Setting"/>, then <see cref="Prompt"/>.
/// </summary>
public sealed record EnvironmentValueSources
{
    public IReadOnlyDictionary<string, Secret> Given { get; init; } = new Dictionary<string, Secret>(StringComparer.Ordinal);

    /// <summary>The setting of that name, or null; null when settings are not consulted.</summary>
    public Func<string, Secret?>? Setting { get; init; }

    /// <summary>Asks a person for the value of a variable, or null when they give none; null when nobody can be asked.</summary>
    public Func<StoredVariable, Secret?>? Prompt { get; init; }
}
