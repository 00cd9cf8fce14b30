using System.Diagnostics;
using System.Globalization;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>
/// Restores a database set with <c>pg_restore</c> in parallel, after checking every file against the manifest.
/// A missing target is created (and dropped again when the restore fails); an empty one is restored into; one that
/// holds anything is refused unless forced, and then never changed in place: the set goes into a new database
/// beside it, whose row counts must match the manifest before the two swap names in one transaction. Creates the
/// roles the dump needs (Supabase's <c>anon</c>, <c>authenticated</c>, <c>service_role</c>…) when the server lacks them.
/// </summary>
public static class DatabaseRestoreEngine
{
    private const int ProgressId = 3;

    // PostgreSQL's NAMEDATALEN - 1: longer names are cut by the server, and two cut names could meet.
    private const int MaxNameBytes = 63;

    public static async Task<DatabaseRestoreResult> RestoreAsync(DatabaseRestoreRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        CheckSet(request.Set);
        await PayloadVerifier.EnsureIntactAsync(request.Set, Math.Max(2, request.Jobs), log, cancellationToken).ConfigureAwait(false);
        return await RestoreCheckedAsync(request, log, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The restore for a caller that has just checked every file of the set against its manifest.</summary>
    internal static async Task<DatabaseRestoreResult> RestoreCheckedAsync(DatabaseRestoreRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var set = request.Set;
        var (contents, dumpFolder) = CheckSet(set);
        var target = ConnectionStrings.Parse(request.TargetConnectionString, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        // A pooled connection would keep the database busy, and a rename needs it free.
        target.Pooling = false;
        var maintenance = ConnectionStrings.Maintenance(target);
        var tools = await PostgresTools.LocateAsync(request.PgBinDirectory, cancellationToken).ConfigureAwait(false);
        var started = DateTimeOffset.UtcNow;
        log.Progress(new OperationProgress(ProgressId, $"Restoring {set.Id}", $"Preparing {target.Database}", 0));

        if (await ResolveTargetKindAsync(request.TargetKind, target, maintenance, cancellationToken).ConfigureAwait(false) == DatabaseTargetKind.Supabase)
        {
            return await RestoreIntoSupabaseAsync(tools, target, contents, dumpFolder, request, started, log, cancellationToken).ConfigureAwait(false);
        }

        var inventory = await InspectAsync(target, maintenance, cancellationToken).ConfigureAwait(false);
        if (inventory is not null && request.MustCreate)
        {
            throw new HotmessException("DatabaseExists", FailureKind.AlreadyExists,
                $"The database '{target.Database}' exists; this restore only goes into a database it creates.", target.Database);
        }

        if (inventory is { IsEmpty: false } && !request.Force)
        {
            throw new HotmessException("TargetNotEmpty", FailureKind.AlreadyExists,
                $"The target database '{target.Database}' already holds {inventory}; restoring '{set.Id}' would overwrite them. Use -Force to replace the database (it is kept under a dated name), or name an empty database.",
                target.Database);
        }

        string? kept = null;
        List<TableEvidence> tables;
        var createdRoles = new List<string>();
        if (inventory is null)
        {
            await CreateDatabaseAsync(maintenance, $"CREATE DATABASE {TableMeasurement.Quote(target.Database!)} TEMPLATE template0 ENCODING 'UTF8'", target, log, cancellationToken).ConfigureAwait(false);
            try
            {
                tables = await RestoreIntoAsync(tools, target, contents, dumpFolder, request, createdRoles, log, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                // This restore created the database (and maybe roles): a failed one leaves nothing behind.
                await DropAsync(maintenance, target.Database!, log).ConfigureAwait(false);
                await DropRolesAsync(maintenance, createdRoles, log).ConfigureAwait(false);
                throw;
            }
        }
        else if (inventory.IsEmpty)
        {
            try
            {
                tables = await RestoreIntoAsync(tools, target, contents, dumpFolder, request, createdRoles, log, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                log.Warning($"'{target.Database}' was empty and may now hold part of the restore of '{set.Id}'. It existed before this restore, so it is left as it is: drop and re-create it, or restore again with -Force.");
                throw;
            }
        }
        else
        {
            log.Warning($"'{target.Database}' holds {inventory}: restoring '{set.Id}' into a new database beside it, to be swapped in once its row counts match the manifest (-Force).");
            var stamp = started.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
            kept = SideName(target.Database!, "before", stamp);
            tables = await ReplaceAsync(tools, target, maintenance, SideName(target.Database!, "restore", stamp), kept, contents, dumpFolder, request, createdRoles, log, cancellationToken).ConfigureAwait(false);
        }

        var result = new DatabaseRestoreResult
        {
            SetId = set.Id,
            Target = ConnectionStrings.Redact(target),
            Database = target.Database!,
            DatabaseCreated = inventory is null,
            KeptDatabase = kept,
            CreatedRoles = createdRoles,
            StartedUtc = started,
            Tables = tables,
            Comparison = Compare(contents.Tables, tables),
            CompletedUtc = DateTimeOffset.UtcNow,
        };
        log.Progress(new OperationProgress(ProgressId, $"Restoring {set.Id}", "Done", 100, Completed: true));
        log.Verbose($"Restored {result.TableCount} tables and {result.RowCount} rows into {target.Database} in {result.Duration.TotalSeconds:F1} s; row counts {(result.RowCountsMatch ? "match" : "DO NOT match")} the manifest.");
        if (kept is not null)
        {
            log.Warning($"The database '{target.Database}' as it was before this restore is kept as '{kept}'. Remove it once it is no longer needed: {result.RemoveKeptDatabase}");
        }

        return result;
    }

    /// <summary>
    /// The kind asked for, or for <see cref="DatabaseTargetKind.Auto"/> what the target is: Supabase when it exists, the
    /// role is no superuser and the managed schemas are there.
    /// </summary>
    private static async Task<DatabaseTargetKind> ResolveTargetKindAsync(DatabaseTargetKind asked, NpgsqlConnectionStringBuilder target,
        NpgsqlConnectionStringBuilder maintenance, CancellationToken cancellationToken)
    {
        if (asked == DatabaseTargetKind.PostgreSQL || (asked == DatabaseTargetKind.Auto && !await ExistsAsync(maintenance, target.Database!, cancellationToken).ConfigureAwait(false)))
        {
            return DatabaseTargetKind.PostgreSQL;
        }

        if (asked == DatabaseTargetKind.Supabase)
        {
            return asked;
        }

        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        return await SupabaseDatabaseTarget.IsSupabaseAsync(connection, cancellationToken).ConfigureAwait(false)
            ? DatabaseTargetKind.Supabase
            : DatabaseTargetKind.PostgreSQL;
    }

    /// <summary>
    /// Into a Supabase project's database: it must exist and hold no data (rows in user tables, auth.users or
    /// storage.objects); a project cannot be replaced beside itself, so -Force does not apply.
    /// </summary>
    private static async Task<DatabaseRestoreResult> RestoreIntoSupabaseAsync(PostgresTools tools, NpgsqlConnectionStringBuilder target, DatabaseContents contents,
        string dumpFolder, DatabaseRestoreRequest request, DateTimeOffset started, IOperationLog log, CancellationToken cancellationToken)
    {
        var set = request.Set;
        if (request.MustCreate)
        {
            throw new HotmessException("DatabaseExists", FailureKind.AlreadyExists,
                $"The database '{target.Database}' exists; this restore only goes into a database it creates.", target.Database);
        }

        await using (var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false))
        {
            if (await SupabaseDatabaseTarget.DescribeDataAsync(connection, cancellationToken).ConfigureAwait(false) is { } data)
            {
                throw new HotmessException("TargetNotEmpty", FailureKind.AlreadyExists,
                    $"The Supabase database '{target.Database}' already holds {data}; restoring '{set.Id}' would mix two databases. A Supabase project cannot be "
                    + "replaced beside itself (-Force does not apply): restore into a new project, or empty this one.", target.Database);
            }
        }

        log.Verbose($"'{target.Database}' is a Supabase database: restoring the user schemas and the managed tables' user rows only.");
        var createdRoles = new List<string>();
        var (tables, comparison, skipped) = await SupabaseDatabaseTarget.RestoreAsync(tools, target, contents, dumpFolder, request, createdRoles, log, cancellationToken)
            .ConfigureAwait(false);
        var result = new DatabaseRestoreResult
        {
            SetId = set.Id,
            Target = ConnectionStrings.Redact(target),
            Database = target.Database!,
            TargetKind = DatabaseTargetKind.Supabase,
            CreatedRoles = createdRoles,
            Skipped = skipped,
            StartedUtc = started,
            Tables = tables,
            Comparison = comparison,
            CompletedUtc = DateTimeOffset.UtcNow,
        };
        log.Progress(new OperationProgress(ProgressId, $"Restoring {set.Id} into Supabase", "Done", 100, Completed: true));
        log.Verbose($"Restored {result.TableCount} tables and {result.RowCount} rows into the Supabase database {target.Database} in {result.Duration.TotalSeconds:F1} s; "
                    + $"row counts {(result.RowCountsMatch ? "match" : "DO NOT match")} the manifest; {skipped.Count} item(s) of the dump left out.");
        if (createdRoles.Count > 0)
        {
            log.Warning($"Created the roles {string.Join(", ", createdRoles.Select(r => $"'{r}'"))} without passwords: set a password (ALTER ROLE … LOGIN PASSWORD …) for any that signs in.");
        }

        return result;
    }

    /// <summary>A name beside <paramref name="database"/>: <c>&lt;database&gt;_&lt;word&gt;_&lt;stamp&gt;</c>, cut to what PostgreSQL keeps.</summary>
    internal static string SideName(string database, string word, string stamp)
    {
        var suffix = $"_{word}_{stamp}";
        var stem = database;
        while (Encoding.UTF8.GetByteCount(stem) + suffix.Length > MaxNameBytes)
        {
            stem = stem[..^(char.IsLowSurrogate(stem[^1]) && stem.Length > 1 ? 2 : 1)];
        }

        return stem + suffix;
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

    private static (DatabaseContents Contents, string DumpFolder) CheckSet(BackupSet set)
    {
        set.EnsureUsable();
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

        return (contents, dumpFolder);
    }

    /// <summary>What the target holds; null when it does not exist.</summary>
    internal static async Task<DatabaseInventory?> InspectAsync(NpgsqlConnectionStringBuilder target, NpgsqlConnectionStringBuilder maintenance, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(maintenance, target.Database!, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        await using var connection = await DatabaseSession.OpenAsync(target, cancellationToken).ConfigureAwait(false);
        return await DatabaseInventory.TakeAsync(connection, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task<bool> ExistsAsync(NpgsqlConnectionStringBuilder maintenance, string database, CancellationToken cancellationToken)
    {
        await using var admin = await DatabaseSession.OpenAsync(maintenance, cancellationToken).ConfigureAwait(false);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
        exists.Parameters.AddWithValue("name", database);
        return await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Runs a CREATE DATABASE; a name that exists by now fails here, before anything is written.</summary>
    internal static async Task CreateDatabaseAsync(NpgsqlConnectionStringBuilder maintenance, string createStatement, NpgsqlConnectionStringBuilder created, IOperationLog log, CancellationToken cancellationToken)
    {
        log.Verbose($"Creating the database '{created.Database}'.");
        await using var admin = await DatabaseSession.OpenAsync(maintenance, cancellationToken).ConfigureAwait(false);
        await using var create = new NpgsqlCommand(createStatement, admin);
        try
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw DatabaseSession.Translate(ex, created);
        }
    }

    /// <summary>Drops a database this run created; a failure is a warning, since it runs while another error is on its way.</summary>
    internal static async Task DropAsync(NpgsqlConnectionStringBuilder maintenance, string database, IOperationLog log)
    {
        try
        {
            await using var admin = await DatabaseSession.OpenAsync(maintenance, CancellationToken.None).ConfigureAwait(false);
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {TableMeasurement.Quote(database)} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            log.Verbose($"Dropped the database '{database}' that this run created.");
        }
        catch (Exception ex) when (ex is HotmessException or NpgsqlException)
        {
            log.Warning($"The database '{database}' that this run created could not be dropped: {ex.Message} Drop it with: DROP DATABASE {TableMeasurement.Quote(database)};");
        }
    }

    /// <summary>Roles, pg_restore, then the row counts (and fingerprints when asked) of what was restored.</summary>
    private static async Task<List<TableEvidence>> RestoreIntoAsync(PostgresTools tools, NpgsqlConnectionStringBuilder database, DatabaseContents contents, string dumpFolder,
        DatabaseRestoreRequest request, List<string> createdRoles, IOperationLog log, CancellationToken cancellationToken)
    {
        var activity = $"Restoring {request.Set.Id}";
        await CreateMissingRolesAsync(database, contents.Roles, createdRoles, log, cancellationToken).ConfigureAwait(false);
        log.Progress(new OperationProgress(ProgressId, activity, $"pg_restore into {database.Database}", 10));
        await RunPgRestoreAsync(tools, database, dumpFolder, request.Jobs, request.Set.Id, log, cancellationToken).ConfigureAwait(false);
        log.Progress(new OperationProgress(ProgressId, activity, "Counting restored rows", 80));
        return await MeasureAsync(database, contents, request.Fingerprint, request.Jobs, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Restores into a new database with the target's own properties, checks its row counts, then swaps the names.
    /// Until the swap commits the target is not touched; on any failure the new database is dropped.
    /// </summary>
    private static async Task<List<TableEvidence>> ReplaceAsync(PostgresTools tools, NpgsqlConnectionStringBuilder target, NpgsqlConnectionStringBuilder maintenance,
        string staging, string kept, DatabaseContents contents, string dumpFolder, DatabaseRestoreRequest request, List<string> createdRoles, IOperationLog log, CancellationToken cancellationToken)
    {
        var setId = request.Set.Id;
        foreach (var name in new[] { staging, kept })
        {
            if (await ExistsAsync(maintenance, name, cancellationToken).ConfigureAwait(false))
            {
                throw new HotmessException("DatabaseExists", FailureKind.AlreadyExists,
                    $"The database '{name}' that a forced restore of '{target.Database}' needs already exists; nothing was changed. Try again in a second, or drop it.", name);
            }
        }

        DatabaseProperties properties;
        await using (var admin = await DatabaseSession.OpenAsync(maintenance, cancellationToken).ConfigureAwait(false))
        {
            properties = await DatabaseProperties.ReadAsync(admin, target.Database!, cancellationToken).ConfigureAwait(false);
        }

        var stagingDatabase = new NpgsqlConnectionStringBuilder(target.ConnectionString) { Database = staging };
        await CreateDatabaseAsync(maintenance, properties.CreateStatement(staging), stagingDatabase, log, cancellationToken).ConfigureAwait(false);
        try
        {
            var tables = await RestoreIntoAsync(tools, stagingDatabase, contents, dumpFolder, request, createdRoles, log, cancellationToken).ConfigureAwait(false);
            var differing = Compare(contents.Tables, tables).Where(c => !c.Matches).ToList();
            if (differing.Count > 0)
            {
                throw new HotmessException("RestoreVerificationFailed", FailureKind.InvalidData,
                    $"The restore of '{setId}' does not match its manifest, so '{target.Database}' was left as it was: "
                    + string.Join(", ", differing.Take(10).Select(c => $"{c.Table} ({c.Expected?.ToString(CultureInfo.InvariantCulture) ?? "none"} expected, {c.Actual?.ToString(CultureInfo.InvariantCulture) ?? "none"} restored)")),
                    setId);
            }

            await using var admin = await DatabaseSession.OpenAsync(maintenance, cancellationToken).ConfigureAwait(false);
            foreach (var statement in properties.ApplyStatements(staging))
            {
                await using var apply = new NpgsqlCommand(statement, admin);
                await apply.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await SwapAsync(admin, target, staging, kept, log, cancellationToken).ConfigureAwait(false);
            return tables;
        }
        catch (PostgresException ex)
        {
            await DropAsync(maintenance, staging, log).ConfigureAwait(false);
            await DropRolesAsync(maintenance, createdRoles, log).ConfigureAwait(false);
            throw DatabaseSession.Translate(ex, target);
        }
        catch
        {
            // Before the swap the new database (and the roles it needed) are all this restore changed; after it, no database has this name.
            await DropAsync(maintenance, staging, log).ConfigureAwait(false);
            await DropRolesAsync(maintenance, createdRoles, log).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Renames the target to <paramref name="kept"/> and <paramref name="staging"/> to the target in one transaction, so
    /// both happen or neither does. Sessions on either database are ended first: a rename needs the database free.
    /// </summary>
    private static async Task SwapAsync(NpgsqlConnection admin, NpgsqlConnectionStringBuilder target, string staging, string kept, IOperationLog log, CancellationToken cancellationToken)
    {
        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            await using var transaction = await admin.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await using (var terminate = new NpgsqlCommand(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE datname = ANY(@names) AND pid <> pg_backend_pid()", admin, transaction))
                {
                    terminate.Parameters.AddWithValue("names", new[] { target.Database!, staging });
                    var ended = (long)(await terminate.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                    if (ended > 0)
                    {
                        log.Verbose($"Ended {ended} session(s) on '{target.Database}' so it can be renamed.");
                    }
                }

                foreach (var (from, to) in new[] { (target.Database!, kept), (staging, target.Database!) })
                {
                    await using var rename = new NpgsqlCommand($"ALTER DATABASE {TableMeasurement.Quote(from)} RENAME TO {TableMeasurement.Quote(to)}", admin, transaction);
                    await rename.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                log.Verbose($"Swapped '{staging}' in as '{target.Database}'; the database as it was is now '{kept}'.");
                return;
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ObjectInUse && attempt < attempts)
            {
                // A session connected between the end of the others and the rename: end it and try again.
                await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                log.Verbose($"'{target.Database}' was still in use ({ex.MessageText}); trying the swap again.");
            }
        }
    }

    /// <summary>Drops roles this run created, once the database that needed them is gone; a failure is a warning.</summary>
    internal static async Task DropRolesAsync(NpgsqlConnectionStringBuilder maintenance, IReadOnlyList<string> roles, IOperationLog log)
    {
        if (roles.Count == 0)
        {
            return;
        }

        try
        {
            await using var admin = await DatabaseSession.OpenAsync(maintenance, CancellationToken.None).ConfigureAwait(false);
            foreach (var role in roles)
            {
                try
                {
                    await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS {TableMeasurement.Quote(role)}", admin);
                    await drop.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
                    log.Verbose($"Dropped the role '{role}' that this run created.");
                }
                catch (PostgresException ex)
                {
                    log.Warning($"The role '{role}' that this run created could not be dropped: {ex.MessageText}");
                }
            }
        }
        catch (HotmessException ex)
        {
            log.Warning($"The roles {string.Join(", ", roles.Select(r => $"'{r}'"))} that this run created could not be dropped: {ex.Message}");
        }
    }

    private static async Task CreateMissingRolesAsync(NpgsqlConnectionStringBuilder target, IReadOnlyList<string> roles, List<string> created, IOperationLog log, CancellationToken cancellationToken)
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
                created.Add(role);
                log.Verbose($"Created the missing role '{role}' (NOLOGIN) that the dump refers to.");
            }
            catch (PostgresException ex)
            {
                log.Warning($"The role '{role}' is missing on the target and cannot be created ({ex.MessageText}); objects owned by it may fail to restore.");
            }
        }
    }

    private static async Task RunPgRestoreAsync(PostgresTools tools, NpgsqlConnectionStringBuilder target, string dumpFolder, int jobs,
        string setId, IOperationLog log, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { "--dbname=" + ConnectionStrings.ToConninfo(target), $"--jobs={Math.Max(1, jobs)}", "--no-password", "--exit-on-error", "--verbose", dumpFolder };
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
