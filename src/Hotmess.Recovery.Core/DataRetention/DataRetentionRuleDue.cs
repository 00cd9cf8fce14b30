namespace Hotmess.Recovery.DataRetention;

/// <summary>One rule of the policy in force and the rows due under it now (Get-HotmessRetentionPolicy).</summary>
public sealed record DataRetentionRuleDue
{
    public required string Rule { get; init; }

    public required string Table { get; init; }

    public required DataRetentionAction Action { get; init; }

    /// <summary>Due rows the rule would act on now; null when no database was asked.</summary>
    public long? RowsDue { get; init; }

    /// <summary>Due rows a hold exempts; null when no database was asked.</summary>
    public long? Held { get; init; }

    public DateTimeOffset? OldestDueUtc { get; init; }

    public DateTimeOffset? NewestDueUtc { get; init; }

    public required string Due { get; init; }

    public string? Hold { get; init; }

    public IReadOnlyList<string> After { get; init; } = [];

    public required string PolicySource { get; init; }

    /// <summary>The rule as the policy writes it, without asking a database.</summary>
    public static DataRetentionRuleDue Of(DataRetentionRule rule, DataRetentionPolicy policy) => new()
    {
        Rule = rule.Name,
        Table = rule.Table,
        Action = rule.Action,
        Due = rule.Due,
        Hold = rule.Hold,
        After = rule.After ?? [],
        PolicySource = policy.Source,
    };
}
