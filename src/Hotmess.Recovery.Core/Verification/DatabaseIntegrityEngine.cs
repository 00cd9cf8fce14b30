using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Verification;

/// <summary>
/// Checks a restored database the way Procedure 1 verifies integrity. After an own set: every table's row count and every
/// fingerprint the set recorded. After a restore the module did not make (Supabase's PITR or daily backups): the critical
/// tables hold at least the rows of the newest own set taken before the restore point. Both: the checklist's "recent
/// transactions present", the newest row of the transaction table. Reads only; measures the way the backup measured.
/// </summary>
public static class DatabaseIntegrityEngine
{
    public const string RowCount = "RowCount";
    public const string Fingerprint = "Fingerprint";
    public const string RecentTransactions = "RecentTransactions";

    private const int ProgressId = 9;

    /// <summary>The newest complete database set taken at or before <paramref name="before"/>: what the database held then.</summary>
    public static BackupSet? NewestEvidence(IEnumerable<BackupSet> sets, DateTimeOffset before) =>
        sets.Where(s => s.Kind == BackupKind.Database && s.State == BackupSetState.Complete && s.Manifest.Database is not null && s.StartedUtc <= before)
            .MaxBy(s => s.StartedUtc);

    public static async Task<List<DatabaseIntegrityCheck>> CheckAsync(DatabaseIntegrityRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        if (request.Set is { Manifest.Database: null } notDatabase)
        {
            throw new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument,
                $"The backup set '{notDatabase.Id}' is a {notDatabase.Kind} set; the integrity of a database is checked against a database set.", notDatabase.Id);
        }

        if (request.Set is null && request.CriticalTables.Count == 0 && request.TransactionTable is null)
        {
            throw new HotmessException("IntegrityNothingToCheck", FailureKind.InvalidArgument,
                "Nothing to check: give the own set that was restored, or the critical tables and the transaction table.", null);
        }

        var target = ConnectionStrings.Parse(request.ConnectionString, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        target.Pooling = false;
        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        var restorePoint = request.RestorePoint ?? request.Set?.StartedUtc ?? DateTimeOffset.UtcNow;
        log.Verbose($"Checking the integrity of {ConnectionStrings.Redact(target)} "
                    + (request.Set is { } set ? $"against the set {set.Id} that was restored."
                        : request.Evidence is { } evidence ? $"against {evidence.Id}, the newest own set before {Stamp(restorePoint)}."
                        : $"without own evidence: no own set taken before {Stamp(restorePoint)}."));
        const string activity = "Checking the restored database's integrity";
        log.Progress(new OperationProgress(ProgressId, activity, request.Set is null ? "Critical tables" : "Every table's rows and fingerprints", 0));
        var checks = request.Set is not null
            ? await CheckAgainstSetAsync(connection, target, request, log, cancellationToken).ConfigureAwait(false)
            : await CheckCriticalTablesAsync(connection, target, request, cancellationToken).ConfigureAwait(false);
        if (request.TransactionTable is { } transactions)
        {
            log.Progress(new OperationProgress(ProgressId, activity, "Recent transactions", 80));
            if (await CheckRecentTransactionsAsync(connection, transactions, request, restorePoint, log, cancellationToken).ConfigureAwait(false) is { } recent)
            {
                checks.Add(recent);
            }
        }

        log.Progress(new OperationProgress(ProgressId, activity, "Done", 100, Completed: true));
        log.Verbose($"{checks.Count(c => c.Passed)} of {checks.Count} integrity checks passed.");
        return checks;
    }

    /// <summary>
    /// Every table of the set: its row count and, where the set recorded one, its fingerprint. Into a Supabase project the
    /// rows of the managed tables other than users, identities, buckets and objects are the project's own (a restore
    /// leaves them): those are not compared.
    /// </summary>
    private static async Task<List<DatabaseIntegrityCheck>> CheckAgainstSetAsync(NpgsqlConnection connection, NpgsqlConnectionStringBuilder target,
        DatabaseIntegrityRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var set = request.Set!;
        var contents = set.Manifest.Database!;
        var present = await TableMeasurement.ListTablesAsync(connection, contents.ExcludedSchemas, cancellationToken).ConfigureAwait(false);
        var expected = contents.Tables;
        if (await SupabaseDatabaseTarget.IsSupabaseAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            bool ProjectOwn(string schema, string qualified) =>
                SupabaseDatabaseTarget.ManagedSchemas.Contains(schema) && !SupabaseDatabaseTarget.UserDataTables.Contains(qualified);
            var left = expected.Where(t => ProjectOwn(t.Schema, t.QualifiedName)).Select(t => t.QualifiedName).ToList();
            if (left.Count > 0)
            {
                log.Verbose($"A Supabase database: the rows of {string.Join(", ", left)} are the project's own and not compared with {set.Id}.");
            }

            expected = expected.Where(t => !ProjectOwn(t.Schema, t.QualifiedName)).ToList();
            // The project's managed tables that the set does not hold (a source without Storage…) are the project's, not extra.
            var held = expected.Select(t => t.QualifiedName).ToHashSet(StringComparer.Ordinal);
            present = present.Where(t => !SupabaseDatabaseTarget.ManagedSchemas.Contains(t.Schema) || held.Contains(t.QualifiedName)).ToList();
        }

        var fingerprinted = expected.Where(t => t.Fingerprint is not null).Select(t => t.QualifiedName).ToHashSet(StringComparer.Ordinal);
        var measured = (await TableMeasurement.MeasureAllAsync(present, present.Where(t => fingerprinted.Contains(t.QualifiedName)).ToList(),
                Math.Max(1, request.Jobs), token => DatabaseSession.OpenAsync(target, token), null, cancellationToken).ConfigureAwait(false))
            .ToDictionary(t => t.QualifiedName, StringComparer.Ordinal);

        var checks = new List<DatabaseIntegrityCheck>();
        foreach (var table in expected.OrderByDescending(t => t.Fingerprint is not null).ThenBy(t => t.QualifiedName, StringComparer.Ordinal))
        {
            measured.TryGetValue(table.QualifiedName, out var found);
            var expectedCount = Rows(table.RowCount);
            checks.Add(found is null
                ? new DatabaseIntegrityCheck(RowCount, table.QualifiedName, expectedCount, "table missing", false,
                    $"{table.QualifiedName} is missing ({table.RowCount} rows in {set.Id})")
                : new DatabaseIntegrityCheck(RowCount, table.QualifiedName, expectedCount, Rows(found.RowCount), found.RowCount == table.RowCount,
                    $"{table.QualifiedName} {found.RowCount} rows ({table.RowCount} in {set.Id}, {Difference(found.RowCount - table.RowCount)})"));
            if (table.Fingerprint is not null)
            {
                var same = found?.Fingerprint == table.Fingerprint;
                checks.Add(new DatabaseIntegrityCheck(Fingerprint, table.QualifiedName, table.Fingerprint, found?.Fingerprint ?? "table missing", same,
                    same ? $"{table.QualifiedName} holds the same rows as in {set.Id}" : $"{table.QualifiedName} differs in content from {set.Id}"));
            }
        }

        var names = expected.Select(t => t.QualifiedName).ToHashSet(StringComparer.Ordinal);
        foreach (var extra in measured.Values.Where(t => !names.Contains(t.QualifiedName)).OrderBy(t => t.QualifiedName, StringComparer.Ordinal))
        {
            checks.Add(new DatabaseIntegrityCheck(RowCount, extra.QualifiedName, "table absent from the set", Rows(extra.RowCount), request.AllowNewTables,
                $"{extra.QualifiedName} {extra.RowCount} rows, a table {set.Id} does not hold{(request.AllowNewTables ? " (new since the set, allowed)" : "")}"));
        }

        return checks;
    }

    /// <summary>
    /// The critical tables: present, and against the newest own evidence before the restore point, holding at least its
    /// rows (a database restored to a later point may have more, never fewer, unless rows were deleted in between).
    /// </summary>
    private static async Task<List<DatabaseIntegrityCheck>> CheckCriticalTablesAsync(NpgsqlConnection connection, NpgsqlConnectionStringBuilder target,
        DatabaseIntegrityRequest request, CancellationToken cancellationToken)
    {
        var present = await TableMeasurement.ListTablesAsync(connection, [], cancellationToken).ConfigureAwait(false);
        var (found, _) = TableMeasurement.ResolveCritical(present, request.CriticalTables);
        var measured = (await TableMeasurement.MeasureAllAsync(found, [], Math.Max(1, request.Jobs), token => DatabaseSession.OpenAsync(target, token), null,
            cancellationToken).ConfigureAwait(false)).ToList();
        var evidence = request.Evidence;
        var checks = new List<DatabaseIntegrityCheck>();
        foreach (var name in request.CriticalTables)
        {
            var table = Resolve(measured, name, t => t.Schema, t => t.Name);
            var own = evidence?.Manifest.Database is { } contents ? Resolve(contents.Tables, name, t => t.Schema, t => t.Name) : null;
            var label = table?.QualifiedName ?? own?.QualifiedName ?? name;
            if (table is null)
            {
                checks.Add(new DatabaseIntegrityCheck(RowCount, label, own is null ? "present" : $">= {own.RowCount}", "table missing", false,
                    own is null ? $"{label} is not in the database" : $"{label} is missing ({own.RowCount} rows in {evidence!.Id})"));
            }
            else if (own is null)
            {
                checks.Add(new DatabaseIntegrityCheck(RowCount, label, "present", Rows(table.RowCount), true,
                    $"{label} {table.RowCount} rows (no own evidence)"));
            }
            else
            {
                var difference = table.RowCount - own.RowCount;
                var counted = $"{table.RowCount} rows ({own.RowCount} in {evidence!.Id}, {Difference(difference)})";
                checks.Add(new DatabaseIntegrityCheck(RowCount, label, $">= {own.RowCount}", Rows(table.RowCount), difference >= 0,
                    difference >= 0 ? $"{label} {counted}" : $"{label} has {-difference} rows fewer than {evidence.Id}: {counted}"));
            }
        }

        return checks;
    }

    /// <summary>
    /// The checklist's "recent transactions present". After an own set, the newest row it recorded must be there; else
    /// the newest timestamp must be after the restore point minus the RPO objective. The column is the one the own
    /// evidence recorded for the table, else the one a backup would choose (updated_at, created_at…).
    /// </summary>
    private static async Task<DatabaseIntegrityCheck?> CheckRecentTransactionsAsync(NpgsqlConnection connection, string name, DatabaseIntegrityRequest request,
        DateTimeOffset restorePoint, IOperationLog log, CancellationToken cancellationToken)
    {
        var reference = request.Set ?? request.Evidence;
        var own = reference?.Manifest.Database is { } contents ? Resolve(contents.Tables, name, t => t.Schema, t => t.Name) : null;
        if (request.Set is not null && own is null)
        {
            log.Verbose($"The set {request.Set.Id} holds no table {name}: recent transactions are shown by its row counts and fingerprints.");
            return null;
        }

        var present = await TableMeasurement.ListTablesAsync(connection, [], cancellationToken).ConfigureAwait(false);
        var table = TableMeasurement.ResolveCritical(present, [name]).Found.FirstOrDefault();
        var threshold = restorePoint - request.RecoveryPointObjective;
        var required = request.Set is not null && own?.NewestTimestamp is { } recorded
            ? $"newest {Stamp(recorded)} as in {request.Set.Id}"
            : $"after {Stamp(threshold)} (restore point minus the {Hours(request.RecoveryPointObjective)} RPO)";
        if (table is null)
        {
            return new DatabaseIntegrityCheck(RecentTransactions, name, required, "table missing", false, $"no transaction table {name} in the database");
        }

        var column = own?.TimestampColumn is { } recordedColumn && table.Columns.Any(c => c.Name == recordedColumn) ? recordedColumn : table.TimestampColumn;
        if (column is null)
        {
            return new DatabaseIntegrityCheck(RecentTransactions, table.QualifiedName, required, "no timestamp column", false,
                $"{table.QualifiedName} has no timestamp column to show recent transactions");
        }

        var newest = (await TableMeasurement.MeasureAsync(connection, table with { TimestampColumn = column }, fingerprint: false, cancellationToken)
            .ConfigureAwait(false)).NewestTimestamp;
        var actual = newest is { } value ? Stamp(value) : "none";
        var where = $"{table.QualifiedName}.{column}";
        if (request.Set is not null && own?.NewestTimestamp is { } expected)
        {
            var same = newest == expected;
            return new DatabaseIntegrityCheck(RecentTransactions, where, Stamp(expected), actual, same,
                same ? $"newest {where} {actual}, as in {request.Set.Id}" : $"newest {where} is {actual}, and {Stamp(expected)} in {request.Set.Id}");
        }

        var passed = newest > threshold;
        return new DatabaseIntegrityCheck(RecentTransactions, where, $"after {Stamp(threshold)}", actual, passed,
            passed ? $"newest {where} {actual}; required {required}"
                : $"no transaction in {table.QualifiedName} after {Stamp(threshold)} (newest {actual}; restore point minus the {Hours(request.RecoveryPointObjective)} RPO)");
    }

    /// <summary>A table by <c>schema.name</c>, or by bare name with <c>public</c> first, as critical tables are named.</summary>
    private static T? Resolve<T>(IEnumerable<T> tables, string name, Func<T, string> schema, Func<T, string> table) where T : class
    {
        var dot = name.IndexOf('.');
        return dot > 0
            ? tables.FirstOrDefault(t => schema(t) == name[..dot] && table(t) == name[(dot + 1)..])
            : tables.Where(t => table(t) == name).OrderByDescending(t => schema(t) == "public").FirstOrDefault();
    }

    private static string Rows(long rows) => rows.ToString(CultureInfo.InvariantCulture);

    private static string Difference(long difference) => difference.ToString("+0;-0;0", CultureInfo.InvariantCulture);

    private static string Stamp(DateTimeOffset value) => value.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture);

    private static string Hours(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} h");
}
