using System.Diagnostics;
using System.Reflection;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Database;

/// <summary>
/// A database backup whose evidence and dump describe the same data: a REPEATABLE READ transaction exports a
/// snapshot; the table evidence is read in that snapshot while <c>pg_dump --snapshot</c> writes the
/// directory-format dump from it; every file is hashed; the manifest is written last.
/// </summary>
public static class DatabaseBackupEngine
{
    private const int ProgressId = 1;

    public static async Task<BackupSet> BackupAsync(DatabaseBackupRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var source = ConnectionStrings.Parse(request.ConnectionString, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        var repository = BackupRepository.OpenOrCreate(request.Repository);
        using var repositoryLock = repository.Lock(BackupKind.Database, log);
        log.Progress(new OperationProgress(ProgressId, "Backing up the database", $"Connecting to {ConnectionStrings.Redact(source)}", 0));
        var (tools, connection) = await LocateToolsAndConnectAsync(request.PgBinDirectory, source, cancellationToken).ConfigureAwait(false);
        await using var snapshotConnection = connection;
        log.Verbose($"Using pg_dump {tools.Version} from '{tools.BinDirectory}'.");
        var serverVersion = snapshotConnection.PostgreSqlVersion.ToString();
        tools.EnsureCanDump(snapshotConnection.PostgreSqlVersion.Major, serverVersion);

        var pending = repository.BeginSet(BackupKind.Database, DateTimeOffset.UtcNow);
        log.Verbose($"Writing backup set '{pending.Id}' to '{pending.Path}'.");
        try
        {
            await using var transaction = await snapshotConnection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            var (snapshotId, lsn) = await ExportSnapshotAsync(snapshotConnection, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Exported snapshot {snapshotId} at WAL position {lsn}.");

            // pg_dump starts as soon as the snapshot exists; the evidence is read in the same snapshot, on the connection
            // that exported it, while pg_dump reads its catalogs and writes: it costs little extra wall time.
            var excluded = request.ExcludeSchemas.ToList();
            var dumpFolder = Path.Combine(pending.Path, "dump");
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var dumpTask = RunPgDumpAsync(tools, source, snapshotId, dumpFolder, request.Jobs, excluded, log, either.Token);
            var evidenceTask = ReadEvidenceAsync(snapshotConnection, source.Database, request.CriticalTables, excluded, log, either.Token);
            // System.Text.Json builds the manifest types' metadata on first use, a tenth of a second in a fresh process:
            // build it while pg_dump writes rather than after.
            var manifestMetadata = Task.Run(() => Json.Options.GetTypeInfo(typeof(BackupManifest)), CancellationToken.None);
            await WhenBothAsync(dumpTask, evidenceTask, either).ConfigureAwait(false);
            var (evidence, roles) = evidenceTask.Result;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            log.Progress(new OperationProgress(ProgressId, "Backing up the database", "Hashing the dump", 85));
            var hashing = Stopwatch.StartNew();
            var files = await pending.HashPayloadAsync(Math.Max(2, request.Jobs), cancellationToken).ConfigureAwait(false);
            log.Verbose($"Hashed {files.Count} files in {hashing.Elapsed.TotalSeconds:F1} s.");
            var manifest = new BackupManifest
            {
                Source = new BackupSource
                {
                    Host = source.Host,
                    Port = source.Port,
                    Database = source.Database,
                    User = source.Username,
                    ServerVersion = serverVersion,
                    Project = request.Project,
                },
                Tools =
                {
                    ["pg_dump"] = tools.Version,
                    ["HotmessRecovery"] = typeof(DatabaseBackupEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
                },
                Files = files,
                Database = new DatabaseContents
                {
                    SnapshotId = snapshotId,
                    WalLsn = lsn,
                    DumpPath = "dump",
                    CriticalTables = request.CriticalTables.ToList(),
                    Tables = evidence,
                    Roles = roles,
                    ExcludedSchemas = excluded,
                },
            };
            await manifestMetadata.ConfigureAwait(false);
            var set = pending.Complete(manifest);
            log.Progress(new OperationProgress(ProgressId, "Backing up the database", "Done", 100, Completed: true));
            log.Verbose($"Backup set '{set.Id}' is complete: {files.Count} files, {set.SizeBytes} bytes, {evidence.Count} tables.");
            return set;
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    private static async Task<(string SnapshotId, string Lsn)> ExportSnapshotAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // pg_current_wal_lsn fails on a standby; pg_last_wal_replay_lsn answers there.
        await using var command = new NpgsqlCommand(
            "SELECT pg_export_snapshot(), (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END)::text", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return (reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1));
    }

    /// <summary>
    /// Finds pg_dump (running <c>pg_dump --version</c>) while the connection opens: both stand between the call and
    /// the first byte of the dump. A missing or unusable pg_dump is reported first, as when they ran in turn.
    /// </summary>
    private static async Task<(PostgresTools Tools, NpgsqlConnection Connection)> LocateToolsAndConnectAsync(
        string? pgBinDirectory, NpgsqlConnectionStringBuilder source, CancellationToken cancellationToken)
    {
        var locating = PostgresTools.LocateAsync(pgBinDirectory, cancellationToken);
        // Every value this connection reads has a built-in type: loading the server's type catalog would only delay the dump.
        var evidenceSource = new NpgsqlConnectionStringBuilder(source.ConnectionString) { ServerCompatibilityMode = ServerCompatibilityMode.NoTypeLoading };
        var connecting = DatabaseSession.OpenAsync(evidenceSource, cancellationToken);
        try
        {
            var tools = await locating.ConfigureAwait(false);
            return (tools, await connecting.ConfigureAwait(false));
        }
        catch
        {
            // Closes a connection that opened although the tools failed; a connection failure is already the one thrown.
            await connecting.ContinueWith(
                t => t.IsCompletedSuccessfully ? t.Result.DisposeAsync().AsTask() : Task.CompletedTask,
                CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The tables with their counts, fingerprints and newest timestamps, and the roles, all read in the snapshot on
    /// the connection that exported it. Without parallel query: pg_dump's jobs need the cores more than the evidence,
    /// which finishes well before the dump anyway.
    /// </summary>
    private static async Task<(List<TableEvidence> Tables, List<string> Roles)> ReadEvidenceAsync(NpgsqlConnection snapshotConnection,
        string? database, IReadOnlyList<string> criticalTables, IReadOnlyList<string> excluded, IOperationLog log, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        await using (var serial = new NpgsqlCommand("SET LOCAL max_parallel_workers_per_gather = 0", snapshotConnection))
        {
            await serial.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var tables = await TableMeasurement.ListTablesAsync(snapshotConnection, excluded, cancellationToken).ConfigureAwait(false);
        var (critical, missing) = TableMeasurement.ResolveCritical(tables, criticalTables);
        foreach (var name in missing)
        {
            log.Warning($"The critical table '{name}' does not exist in {database}; it cannot be fingerprinted.");
        }

        var roles = await TableMeasurement.ListRolesAsync(snapshotConnection, excluded, cancellationToken).ConfigureAwait(false);
        var measured = 0;
        var evidence = await TableMeasurement.MeasureInTurnAsync(snapshotConnection, tables, critical,
            t =>
            {
                measured++;
                log.Progress(new OperationProgress(ProgressId, "Backing up the database", "pg_dump is writing; measuring tables in the same snapshot",
                    10 + (70 * measured / Math.Max(1, tables.Count)), $"{t.QualifiedName}: {t.RowCount} rows"));
            },
            cancellationToken).ConfigureAwait(false);
        log.Verbose($"Measured {evidence.Count} tables ({critical.Count} fingerprinted) in the snapshot in {watch.Elapsed.TotalSeconds:F1} s.");
        return (evidence, roles);
    }

    private static async Task RunPgDumpAsync(PostgresTools tools, NpgsqlConnectionStringBuilder source, string snapshotId, string folder,
        int jobs, IReadOnlyList<string> excluded, IOperationLog log, CancellationToken cancellationToken)
    {
        var arguments = new List<string>
        {
            "--dbname=" + ConnectionStrings.ToConninfo(source),
            "--format=directory", $"--file={folder}", $"--jobs={Math.Max(1, jobs)}", $"--snapshot={snapshotId}",
            "--no-password", "--verbose",
        };
        arguments.AddRange(excluded.Select(s => $"--exclude-schema={s}"));
        var watch = Stopwatch.StartNew();
        var result = await ExternalProcess.RunAsync(tools.PgDump, arguments, ConnectionStrings.ToLibpqEnvironment(source),
            line => log.Verbose("pg_dump: " + line), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new HotmessException("PgDumpFailed", FailureKind.ExternalToolFailed,
                $"pg_dump failed with exit code {result.ExitCode}: {result.FailureReason}", ConnectionStrings.Redact(source));
        }

        log.Verbose($"pg_dump finished in {watch.Elapsed.TotalSeconds:F1} s.");
    }

    /// <summary>Waits for both; the first failure cancels the other, and the real failure (not the cancellation) surfaces.</summary>
    private static async Task WhenBothAsync(Task first, Task second, CancellationTokenSource either)
    {
        var failed = await Task.WhenAny(first, second).ConfigureAwait(false);
        if (failed.IsFaulted)
        {
            await either.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(first.ContinueWith(_ => { }, TaskScheduler.Default), second.ContinueWith(_ => { }, TaskScheduler.Default)).ConfigureAwait(false);
            await failed.ConfigureAwait(false);
        }

        await Task.WhenAll(first, second).ConfigureAwait(false);
    }
}
