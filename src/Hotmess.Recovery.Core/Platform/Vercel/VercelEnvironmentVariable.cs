using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// A project environment variable as Vercel returns it. <see cref="Value"/> is a <see cref="Secret"/> (prints
/// as <c>****</c>): the clear text only when listed with <c>decrypt</c> or read one by one, the stored ciphertext
/// for an encrypted variable otherwise, and null for a <c>sensitive</c> variable (Vercel never returns those).
/// </summary>
public sealed class VercelEnvironmentVariable
{
    public required string Id { get; init; }

    public required string Key { get; init; }

    public Secret? Value { get; init; }

    /// <summary>True when <see cref="Value"/> holds the clear value.</summary>
    public bool Decrypted { get; init; }

    /// <summary>system, encrypted, plain or sensitive (see <see cref="EnvironmentVariableTypes"/>).</summary>
    public required string Type { get; init; }

    /// <summary>production, preview and/or development.</summary>
    public required IReadOnlyList<string> Targets { get; init; }

    public string? GitBranch { get; init; }

    public string? Comment { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public override string ToString() => $"{Key} [{string.Join(",", Targets)}] ({Type})";
}

/// <summary>One variable to create or replace with <see cref="VercelClient.UpsertEnvironmentVariablesAsync"/>.</summary>
public sealed record EnvironmentVariableInput
{
    public EnvironmentVariableInput(string key, Secret value, IReadOnlyList<string> targets, string type = EnvironmentVariableTypes.Encrypted)
    {
        EnvironmentVariableNames.Validate(key);
        ArgumentNullException.ThrowIfNull(value);
        EnvironmentTargets.Validate(targets);
        EnvironmentVariableTypes.ValidateWritable(type);
        Key = key;
        Value = value;
        Targets = targets;
        Type = type;
    }

    public string Key { get; }

    public Secret Value { get; }

    public IReadOnlyList<string> Targets { get; }

    public string Type { get; }

    public string? GitBranch { get; init; }

    public string? Comment { get; init; }
}

/// <summary>Fields to change with <see cref="VercelClient.UpdateEnvironmentVariableAsync"/>; null leaves a field as it is.</summary>
public sealed record EnvironmentVariableUpdate
{
    public Secret? Value { get; init; }

    public string? Type { get; init; }

    public IReadOnlyList<string>? Targets { get; init; }

    public string? Comment { get; init; }
}

/// <summary>
/// What <c>Get-HotmessEnvironment</c> shows of a variable: never a clear value. <see cref="Value"/> is a mask:
/// <c>****abcd</c> when Vercel returned the value (plain), <c>****</c> when it returned ciphertext, empty for
/// a sensitive variable whose value cannot be read back.
/// </summary>
public sealed class EnvironmentVariableSummary
{
    public required string Name { get; init; }

    public required IReadOnlyList<string> Targets { get; init; }

    public required string Type { get; init; }

    public required string Value { get; init; }

    public string? GitBranch { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    public required string Id { get; init; }

    public static EnvironmentVariableSummary From(VercelEnvironmentVariable variable) => new()
    {
        Name = variable.Key,
        Targets = variable.Targets,
        Type = variable.Type,
        Value = variable.Value switch
        {
            null => "",
            { } secret when variable.Decrypted || variable.Type == EnvironmentVariableTypes.Plain => secret.Masked,
            _ => "****",
        },
        GitBranch = variable.GitBranch,
        UpdatedAt = variable.UpdatedAt,
        Id = variable.Id,
    };
}

/// <summary>The variable types Vercel knows; <c>system</c> belongs to Vercel and cannot be written.</summary>
public static class EnvironmentVariableTypes
{
    public const string System = "system";
    public const string Encrypted = "encrypted";
    public const string Plain = "plain";
    public const string Sensitive = "sensitive";

    public static readonly IReadOnlyList<string> Writable = [Encrypted, Sensitive, Plain];

    internal static void ValidateWritable(string type)
    {
        if (!Writable.Contains(type))
        {
            throw new HotmessException("EnvironmentVariableTypeInvalid", FailureKind.InvalidArgument,
                $"'{type}' is not a variable type that can be set; use one of {string.Join(", ", Writable)}.", type);
        }
    }
}

/// <summary>The three environments of a Vercel project.</summary>
public static class EnvironmentTargets
{
    public const string Production = "production";
    public const string Preview = "preview";
    public const string Development = "development";

    public static readonly IReadOnlyList<string> All = [Production, Preview, Development];

    internal static void Validate(IReadOnlyList<string> targets)
    {
        if (targets.Count == 0)
        {
            throw new HotmessException("EnvironmentTargetMissing", FailureKind.InvalidArgument,
                "A variable needs at least one target: production, preview or development.", null);
        }

        foreach (var target in targets.Where(t => !All.Contains(t)))
        {
            throw new HotmessException("EnvironmentTargetInvalid", FailureKind.InvalidArgument,
                $"'{target}' is not a Vercel environment; use production, preview or development.", target);
        }
    }
}

/// <summary>Variable names Vercel accepts: letters, digits and underscores, not starting with a digit.</summary>
public static partial class EnvironmentVariableNames
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex ValidName();

    public static void Validate(string name)
    {
        if (string.IsNullOrEmpty(name) || !ValidName().IsMatch(name))
        {
            throw new HotmessException("EnvironmentVariableNameInvalid", FailureKind.InvalidArgument,
                $"'{name}' is not a valid environment variable name (letters, digits and underscores, not starting with a digit).", name);
        }
    }
}
