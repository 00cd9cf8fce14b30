using System.Diagnostics;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Database;

public sealed record DatabaseRestoreRequest
{
    public required BackupSet Set { get; init; }

    public required string TargetConnectionString { get; init; }

    public int Jobs { get; init; } = 2;

    /// <summary>Restore over a database that already holds objects (pg_restore --clean --if-exists).</summary>
    public bool Force { get; init; }

    /// <summary>Also fingerprint the critical tables after the restore (what a verification needs).</summary>
    public bool Fingerprint { get; init; }

    public string? PgBinDirectory { get; init; }
}

/// <summary>What a restore did, and how the restored tables compare with the manifest.</summary>
public sealed class DatabaseRestoreResult
{
    public string SetId { get; init; } = "";

    public string Target { get; init; } = "";

    public string Database { get; init; } = "";

    public bool DatabaseCreated { get; init; }

    public DateTimeOffset StartedUtc { get; init; }

    public DateTimeOffset CompletedUtc { get; set; }

    public TimeSpan Duration => CompletedUtc - StartedUtc;

    public List<TableEvidence> Tables { get; set; } = new();

    public List<TableComparison> Comparison { get; set; } = new();

    public bool RowCountsMatch => Comparison.TrueForAll(c => c.Matches);

    public int TableCount => Comparison.Count;

    public long RowCount => Tables.Sum(t => t.RowCount);
}

public sealed record TableComparison(string Table, long? Expected, long? Actual)
{
    public bool Matches => Expected == Actual;
}

/// <summary>
/// Restores a database set with <c>pg_restore</c> in parallel. Creates the target database when missing and
/// refuses one that already holds objects unless forced; creates the roles the dump needs (Supabase's
/// <c>anon</c>, <c>authenticated</c>, <c>service_role</c>…) when the target server lacks them.
/// </summary>
public static class DatabaseRestoreEngine
{
    private const int ProgressId = 3;

    public static async Task<DatabaseRestoreResult> RestoreAsync(DatabaseRestoreRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var set = request.Set;
        if (set.Kind != BackupKind.Database || set.Manifest.Database is not { } contents)
        {
            throw new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument,
                $"The backup set '{set.Id}' is a {set.Kind} set; only Database sets can be restored into a database.", set.Id);
        }

        var dumpFolder = Path.Combine(set.Path, contents.DumpPath);
        if (!File.Exists(Path.Combine(dumpFolder, "toc.dat")))
        {
            throw new HotmessException("BackupCorrupted", FailureKind.InvalidData,
                $"The backup set '{set.Id}' has no dump table of contents ('{contents.DumpPath}/toc.dat').", set.Id);
        }

        var target = ConnectionStrings.Parse(request.TargetConnectionString, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        var tools = await PostgresTools.LocateAsync(request.PgBinDirectory, cancellationToken).ConfigureAwait(false);
        var started = DateTimeOffset.UtcNow;
        log.Progress(new OperationProgress(ProgressId, $"Restoring {set.Id}", $"Preparing {target.Database}", 0));

        var created = await PrepareTargetAsync(target, request.Force, set.Id, log, cancellationToken).ConfigureAwait(false);
        await CreateMissingRolesAsync(target, contents.Roles, log, cancellationToken).ConfigureAwait(false);

        log.Progress(new OperationProgress(ProgressId, $"Restoring {set.Id}", $"pg_restore into {target.Database}", 10));
        await RunPgRestoreAsync(tools, target, dumpFolder, request.Jobs, clean: !created && request.Force, set.Id, log, cancellationToken).ConfigureAwait(false);

        log.Progress(new OperationProgress(ProgressId, $"Restoring {set.Id}", "Counting restored rows", 80));
        var tables = await MeasureAsync(target, contents, request.Fingerprint, request.Jobs, cancellationToken).ConfigureAwait(false);
        var result = new DatabaseRestoreResult
        {
            SetId = set.Id,
            Target = ConnectionStrings.Redact(target),
            Database = target.Database!,
            DatabaseCreated = created,
            StartedUtc = started,
            Tables = tables,
            Comparison = Compare(contents.Tables, tables),
            CompletedUtc = DateTimeOffset.UtcNow,
        };
        log.Progress(new OperationProgress(ProgressId, $"Restoring {set.Id}", "Done", 100, Completed: true));
        log.Verbose($"Restored {result.TableCount} tables and {result.RowCount} rows into {target.Database} in {result.Duration.TotalSeconds:F1} s; row counts {(result.RowCountsMatch ? "match" : "DO NOT match")} the manifest.");
        return result;
    }

    /// <summary>Measures the restored tables the same way the backup measured the source.</summary>
    public static async Task<List<TableEvidence>> MeasureAsync(NpgsqlConnectionStringBuilder target, DatabaseContents contents, bool fingerprint, int jobs, CancellationToken cancellationToken)
    {
        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        var tables = await TableMeasurement.ListTablesAsync(connection, contents.ExcludedSchemas, cancellationToken).ConfigureAwait(false);
        var fingerprinted = contents.Tables.Where(t => t.Fingerprint is not null).Select(t => t.QualifiedName).ToHashSet(StringComparer.Ordinal);
        var critical = fingerprint ? tables.Where(t => fingerprinted.Contains(t.QualifiedName)).ToList() : [];
        return await TableMeasurement.MeasureAllAsync(tables, critical, Math.Max(1, jobs),
            token => DatabaseSession.OpenAsync(target, token), null, cancellationToken).ConfigureAwait(false);
    }

    public static List<TableComparison> Compare(IEnumerable<TableEvidence> expected, IEnumerable<TableEvidence> actual)
    {
        var actualByName = actual.ToDictionary(t => t.QualifiedName, StringComparer.Ordinal);
        var comparison = expected.Select(e => new TableComparison(e.QualifiedName, e.RowCount, actualByName.TryGetValue(e.QualifiedName, out var a) ? a.RowCount : null)).ToList();
        var expectedNames = expected.Select(e => e.QualifiedName).ToHashSet(StringComparer.Ordinal);
        comparison.AddRange(actualByName.Values.Where(a => !expectedNames.Contains(a.QualifiedName)).Select(a => new TableComparison(a.QualifiedName, null, a.RowCount)));
        return comparison;
    }

    /// <summary>Creates the database when missing; otherwise refuses one that holds objects unless forced. True when created.</summary>
    public static async Task<bool> PrepareTargetAsync(NpgsqlConnectionStringBuilder target, bool force, string setId, IOperationLog log, CancellationToken cancellationToken)
    {
        var maintenance = ConnectionStrings.Maintenance(target);
        await using (var admin = await DatabaseSession.OpenAsync(maintenance, cancellationToken).ConfigureAwait(false))
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
            exists.Parameters.AddWithValue("name", target.Database!);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                log.Verbose($"Creating the database '{target.Database}'.");
                await using var create = new NpgsqlCommand($"CREATE DATABASE {TableMeasurement.Quote(target.Database!)} TEMPLATE template0 ENCODING 'UTF8'", admin);
                try
                {
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException ex)
                {
                    throw DatabaseSession.Translate(ex, target);
                }

                return true;
            }
        }

        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        await using var count = new NpgsqlCommand("""
            SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
              AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
            """, connection);
        var objects = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        if (objects > 0 && !force)
        {
            throw new HotmessException("TargetNotEmpty", FailureKind.AlreadyExists,
                $"The target database '{target.Database}' already holds {objects} tables, views or sequences; restoring '{setId}' would overwrite them. Use -Force to replace them, or name an empty database.",
                target.Database);
        }

        if (objects > 0)
        {
            log.Warning($"Replacing the {objects} existing tables, views and sequences of '{target.Database}' (-Force).");
        }

        return false;
    }

    private static async Task CreateMissingRolesAsync(NpgsqlConnectionStringBuilder target, IReadOnlyList<string> roles, IOperationLog log, CancellationToken cancellationToken)
    {
        if (roles.Count == 0)
        {
            return;
        }

        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        foreach (var role in roles)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_roles WHERE rolname = @name", connection);
            exists.Parameters.AddWithValue("name", role);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null)
            {
                continue;
            }

            try
            {
                await using var create = new NpgsqlCommand($"CREATE ROLE {TableMeasurement.Quote(role)} NOLOGIN", connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                log.Verbose($"Created the missing role '{role}' (NOLOGIN) that the dump refers to.");
            }
            catch (PostgresException ex)
            {
                log.Warning($"The role '{role}' is missing on the target and cannot be created ({ex.MessageText}); objects owned by it may fail to restore.");
            }
        }
    }

    private static async Task RunPgRestoreAsync(PostgresTools tools, NpgsqlConnectionStringBuilder target, string dumpFolder, int jobs, bool clean,
        string setId, IOperationLog log, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "--dbname=" + ConnectionStrings.ToConninfo(target), $"--jobs={Math.Max(1, jobs)}", "--no-password", "--exit-on-error", "--verbose" };
        if (clean)
        {
            arguments.AddRange(["--clean", "--if-exists"]);
        }

        arguments.Add(dumpFolder);
        var watch = Stopwatch.StartNew();
        var result = await ExternalProcess.RunAsync(tools.PgRestore, arguments, ConnectionStrings.ToLibpqEnvironment(target),
            line => log.Verbose("pg_restore: " + line), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new HotmessException("PgRestoreFailed", FailureKind.ExternalToolFailed,
                $"pg_restore of '{setId}' into '{target.Database}' failed with exit code {result.ExitCode}: {result.FailureReason}", setId);
        }

        log.Verbose($"pg_restore finished in {watch.Elapsed.TotalSeconds:F1} s.");
    }
}
