namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// A rule resolved against the database's catalog: its table and columns as quoted SQL names, its primary key
/// (batches walk it), and the statements it runs, built only from those names and the rule's checked expressions.
/// </summary>
internal sealed class DataRetentionTarget
{
    public required DataRetentionRule Rule { get; init; }

    /// <summary><c>"schema"."table"</c>, quoted from the catalog.</summary>
    public required string Table { get; init; }

    /// <summary>The primary key's columns, quoted, in key order.</summary>
    public required IReadOnlyList<string> KeyColumns { get; init; }

    /// <summary>The primary key columns' types as format_type writes them, for casting keys carried as text.</summary>
    public required IReadOnlyList<string> KeyTypes { get; init; }

    /// <summary>Aggregate: the into table, quoted.</summary>
    public string? Into { get; init; }

    private string NotHeld => Rule.Hold is null ? "true" : $"NOT coalesce(({Rule.Hold}), false)";

    private string KeyList => string.Join(", ", KeyColumns);

    /// <summary>Counts due and held rows and the due rows' time range in one pass.</summary>
    public string MeasureSql =>
        $"""
        SELECT count(*) FILTER (WHERE NOT held), count(*) FILTER (WHERE held),
               min(due_time) FILTER (WHERE NOT held), max(due_time) FILTER (WHERE NOT held)
        FROM (SELECT {(Rule.Hold is null ? "false" : $"coalesce(({Rule.Hold}), false)")} AS held,
                     {(Rule.Time is null ? "NULL::timestamptz" : $"(({Rule.Time}))::timestamptz")} AS due_time
              FROM {Table}
              WHERE ({Rule.Due})) AS due_rows
        """;

    /// <summary>
    /// The next batch's keys, as text, locked: due, not held, after the last key of the previous batch. The text
    /// columns get their own names so that ORDER BY sorts by the key's own type, not by its text.
    /// </summary>
    public string NextBatchSql(bool afterLastKey) =>
        $"""
        SELECT {string.Join(", ", KeyColumns.Select((k, i) => $"{k}::text AS key_{i}"))}
        FROM {Table}
        WHERE {(afterLastKey ? $"({KeyList}) > ({string.Join(", ", KeyTypes.Select((t, i) => $"${i + 1}::{t}"))}) AND " : string.Empty)}({Rule.Due}) AND {NotHeld}
        ORDER BY {KeyList}
        LIMIT {BatchLimitParameter(afterLastKey)}
        FOR UPDATE
        """;

    /// <summary>The batch's rows, by key: keys travel as text arrays, one per key column.</summary>
    public string BatchRowsSql =>
        $"({KeyList}) IN (SELECT {string.Join(", ", KeyTypes.Select((t, i) => $"batch.k{i}::{t}"))} FROM unnest({string.Join(", ", KeyTypes.Select((_, i) => $"${i + 1}::text[]"))}) AS batch ({string.Join(", ", KeyTypes.Select((_, i) => $"k{i}"))}))";

    public string DeleteSql => $"DELETE FROM {Table} WHERE {BatchRowsSql}";

    public string AnonymizeSql(IReadOnlyDictionary<string, string> quotedSet) =>
        $"UPDATE {Table} SET {string.Join(", ", quotedSet.Select(s => $"{s.Key} = ({s.Value})"))} WHERE {BatchRowsSql}";

    public string AggregateSql(IReadOnlyList<(string Column, string Expression)> groupBy, IReadOnlyList<(string Column, string Expression)> measures)
    {
        var columns = groupBy.Concat(measures).Select(c => c.Column);
        var values = groupBy.Concat(measures).Select(c => $"({c.Expression})");
        var grouping = groupBy.Count == 0 ? string.Empty : " GROUP BY " + string.Join(", ", Enumerable.Range(1, groupBy.Count));
        return $"INSERT INTO {Into} ({string.Join(", ", columns)}) SELECT {string.Join(", ", values)} FROM {Table} WHERE {BatchRowsSql}{grouping}";
    }

    /// <summary>The anonymize rule's columns, quoted; filled by the catalog once it has checked them.</summary>
    public IReadOnlyDictionary<string, string> QuotedSet { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<(string Column, string Expression)> QuotedGroupBy { get; init; } = [];

    public IReadOnlyList<(string Column, string Expression)> QuotedMeasures { get; init; } = [];

    // The limit is the parameter after the key values.
    private string BatchLimitParameter(bool afterLastKey) => "$" + ((afterLastKey ? KeyColumns.Count : 0) + 1);
}
