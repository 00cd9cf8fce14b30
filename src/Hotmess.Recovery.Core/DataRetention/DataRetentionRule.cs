namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// One rule of a data retention policy, as the policy file writes it. <see cref="Due"/>, <see cref="Hold"/>,
/// <see cref="Time"/> and the values of <see cref="Set"/> and <see cref="GroupBy"/> are SQL expressions over the
/// table's rows (subqueries allowed); <see cref="Table"/> and <see cref="Into"/> are SQL names such as
/// <c>public."User"</c>; the keys of <see cref="Set"/> and <see cref="GroupBy"/> are plain column names.
/// </summary>
public sealed record DataRetentionRule
{
    public string Name { get; init; } = string.Empty;

    public string Table { get; init; } = string.Empty;

    public DataRetentionAction Action { get; init; }

    /// <summary>The SQL boolean that makes a row due.</summary>
    public string Due { get; init; } = string.Empty;

    /// <summary>Anonymize: column to SQL expression. Aggregate: the into table's column to an aggregate expression.</summary>
    public Dictionary<string, string>? Set { get; init; }

    /// <summary>The SQL boolean that exempts a due row (a legal hold); such rows are counted as held.</summary>
    public string? Hold { get; init; }

    /// <summary>Rules that must have run before this one (children before parents).</summary>
    public List<string>? After { get; init; }

    /// <summary>The SQL expression giving a row's timestamp, for the oldest and newest due rows in reports and the audit.</summary>
    public string? Time { get; init; }

    /// <summary>Aggregate: the table the aggregates go into.</summary>
    public string? Into { get; init; }

    /// <summary>Aggregate: the into table's column to the expression rows are grouped by.</summary>
    public Dictionary<string, string>? GroupBy { get; init; }
}
