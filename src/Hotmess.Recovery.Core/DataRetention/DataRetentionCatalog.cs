using Hotmess.Recovery.Common;
using Npgsql;
using NpgsqlTypes;

namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// Checks every rule against the database before anything runs: its tables exist (catalog lookup), the columns its
/// <c>set</c> and <c>groupBy</c> name exist, the table has a primary key to walk in batches, and every statement the rule
/// will run plans (EXPLAIN, which never executes), so an unknown column inside <c>due</c> or <c>hold</c> is caught too.
/// The first problem fails the whole run, naming the rule and what is missing.
/// </summary>
internal static class DataRetentionCatalog
{
    public static async Task<IReadOnlyList<DataRetentionTarget>> ResolveAsync(NpgsqlConnection connection, DataRetentionPolicy policy, CancellationToken ct)
    {
        var targets = new List<DataRetentionTarget>();
        foreach (var rule in policy.Ordered())
        {
            var table = await ResolveTableAsync(connection, policy, rule, rule.Table, ct).ConfigureAwait(false);
            var key = await PrimaryKeyAsync(connection, table.Oid, ct).ConfigureAwait(false);
            if (key.Count == 0)
            {
                throw new HotmessException("RetentionTableWithoutKey", FailureKind.InvalidData,
                    $"The rule '{rule.Name}' of {policy.Source} names {rule.Table}, which has no primary key; retention works through a table in batches by its primary key.",
                    rule.Table);
            }

            var columns = await ColumnsAsync(connection, table.Oid, ct).ConfigureAwait(false);
            string? into = null;
            var quotedSet = new Dictionary<string, string>(StringComparer.Ordinal);
            var groupBy = new List<(string, string)>();
            var measures = new List<(string, string)>();
            if (rule.Action == DataRetentionAction.Anonymize)
            {
                foreach (var (column, value) in rule.Set!)
                {
                    quotedSet[Column(policy, rule, rule.Table, columns, column)] = value;
                }
            }
            else if (rule.Action == DataRetentionAction.Aggregate)
            {
                var intoTable = await ResolveTableAsync(connection, policy, rule, rule.Into!, ct).ConfigureAwait(false);
                var intoColumns = await ColumnsAsync(connection, intoTable.Oid, ct).ConfigureAwait(false);
                into = intoTable.QuotedName;
                groupBy.AddRange((rule.GroupBy ?? []).Select(g => (Column(policy, rule, rule.Into!, intoColumns, g.Key), g.Value)));
                measures.AddRange(rule.Set!.Select(m => (Column(policy, rule, rule.Into!, intoColumns, m.Key), m.Value)));
            }

            var target = new DataRetentionTarget
            {
                Rule = rule,
                Table = table.QuotedName,
                KeyColumns = key.Select(k => k.Column).ToList(),
                KeyTypes = key.Select(k => k.Type).ToList(),
                Into = into,
                QuotedSet = quotedSet,
                QuotedGroupBy = groupBy,
                QuotedMeasures = measures,
            };
            await ExplainAllAsync(connection, policy, target, ct).ConfigureAwait(false);
            targets.Add(target);
        }

        return targets;
    }

    /// <summary>Quotes an identifier the way PostgreSQL reads it back: in double quotes, inner quotes doubled.</summary>
    public static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<(uint Oid, string QuotedName)> ResolveTableAsync(
        NpgsqlConnection connection, DataRetentionPolicy policy, DataRetentionRule rule, string name, CancellationToken ct)
    {
        // to_regclass parses the SQL name (quotes, schema) itself and answers NULL for a table that does not exist.
        const string sql = """
            SELECT c.oid, n.nspname, c.relname, c.relkind::text
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.oid = to_regclass($1)
            """;
        try
        {
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = name, NpgsqlDbType = NpgsqlDbType.Text } } };
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var kind = reader.GetString(3);
                if (kind is not ("r" or "p"))
                {
                    throw new HotmessException("RetentionTableNotFound", FailureKind.NotFound,
                        $"The rule '{rule.Name}' of {policy.Source} names {name}, which is not a table.", name);
                }

                return (reader.GetFieldValue<uint>(0), QuoteIdentifier(reader.GetString(1)) + "." + QuoteIdentifier(reader.GetString(2)));
            }
        }
        catch (PostgresException ex)
        {
            throw new HotmessException("RetentionTableNotFound", FailureKind.InvalidData,
                $"The rule '{rule.Name}' of {policy.Source} names the table {name}, which is not an SQL name: {ex.MessageText}", name, ex);
        }

        throw new HotmessException("RetentionTableNotFound", FailureKind.NotFound,
            $"The rule '{rule.Name}' of {policy.Source} names the table {name}, which does not exist. Nothing was changed.", name);
    }

    private static async Task<List<(string Column, string Type)>> PrimaryKeyAsync(NpgsqlConnection connection, uint table, CancellationToken ct)
    {
        const string sql = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod)
            FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
            WHERE i.indrelid = $1 AND i.indisprimary
            ORDER BY array_position(i.indkey::int2[], a.attnum)
            """;
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = table, NpgsqlDbType = NpgsqlDbType.Oid } } };
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var key = new List<(string, string)>();
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            // format_type writes a type as SQL reads it (quoted where needed), so it can follow '::'.
            key.Add((QuoteIdentifier(reader.GetString(0)), reader.GetString(1)));
        }

        return key;
    }

    private static async Task<HashSet<string>> ColumnsAsync(NpgsqlConnection connection, uint table, CancellationToken ct)
    {
        const string sql = "SELECT attname FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped";
        await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = table, NpgsqlDbType = NpgsqlDbType.Oid } } };
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var columns = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            columns.Add(reader.GetString(0));
        }

        return columns;
    }

    private static string Column(DataRetentionPolicy policy, DataRetentionRule rule, string table, HashSet<string> columns, string column) =>
        columns.Contains(column)
            ? QuoteIdentifier(column)
            : throw new HotmessException("RetentionColumnNotFound", FailureKind.NotFound,
                $"The rule '{rule.Name}' of {policy.Source} names the column '{column}' of {table}, which does not exist. Nothing was changed.", column);

    // Plans every statement the rule runs, with NULL parameters: EXPLAIN parses, resolves every name and plans, never executes.
    private static async Task ExplainAllAsync(NpgsqlConnection connection, DataRetentionPolicy policy, DataRetentionTarget target, CancellationToken ct)
    {
        var keyCount = target.KeyColumns.Count;
        await ExplainAsync(connection, policy, target, target.MeasureSql, [], ct).ConfigureAwait(false);
        await ExplainAsync(connection, policy, target, target.NextBatchSql(afterLastKey: true),
            [.. Enumerable.Repeat(NpgsqlDbType.Text, keyCount), NpgsqlDbType.Integer], ct).ConfigureAwait(false);
        var arrays = Enumerable.Repeat(NpgsqlDbType.Array | NpgsqlDbType.Text, keyCount).ToArray();
        var statement = target.Rule.Action switch
        {
            DataRetentionAction.Anonymize => target.AnonymizeSql(target.QuotedSet),
            DataRetentionAction.Aggregate => target.AggregateSql(target.QuotedGroupBy, target.QuotedMeasures),
            _ => target.DeleteSql,
        };
        await ExplainAsync(connection, policy, target, statement, arrays, ct).ConfigureAwait(false);
        if (target.Rule.Action == DataRetentionAction.Aggregate)
        {
            await ExplainAsync(connection, policy, target, target.DeleteSql, arrays, ct).ConfigureAwait(false);
        }
    }

    private static async Task ExplainAsync(
        NpgsqlConnection connection, DataRetentionPolicy policy, DataRetentionTarget target, string sql, NpgsqlDbType[] parameters, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("EXPLAIN " + sql, connection);
        foreach (var type in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = type });
        }

        try
        {
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            var rule = target.Rule;
            var (id, kind) = ex.SqlState switch
            {
                PostgresErrorCodes.UndefinedColumn => ("RetentionColumnNotFound", FailureKind.NotFound),
                PostgresErrorCodes.UndefinedTable => ("RetentionTableNotFound", FailureKind.NotFound),
                _ => ("RetentionRuleInvalid", FailureKind.InvalidData),
            };
            throw new HotmessException(id, kind,
                $"The rule '{rule.Name}' of {policy.Source} cannot run on {rule.Table}: {ex.MessageText}. Nothing was changed.", rule.Name, ex);
        }
    }
}
