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
        var tools = await PostgresTools.LocateAsync(request.PgBinDirectory, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Using pg_dump {tools.Version} from '{tools.BinDirectory}'.");

        using var repositoryLock = repository.Lock(BackupKind.Database, log);
        log.Progress(new OperationProgress(ProgressId, "Backing up the database", $"Connecting to {ConnectionStrings.Redact(source)}", 0));
        await using var snapshotConnection = await DatabaseSession.OpenAsync(source, cancellationToken).ConfigureAwait(false);
        var serverVersion = snapshotConnection.PostgreSqlVersion.ToString();
        tools.EnsureCanDump(snapshotConnection.PostgreSqlVersion.Major, serverVersion);

        var pending = repository.BeginSet(BackupKind.Database, DateTimeOffset.UtcNow);
        log.Verbose($"Writing backup set '{pending.Id}' to '{pending.Path}'.");
        try
        {
            await using var transaction = await snapshotConnection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            var (snapshotId, lsn) = await ExportSnapshotAsync(snapshotConnection, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Exported snapshot {snapshotId} at WAL position {lsn}.");

            var excluded = request.ExcludeSchemas.ToList();
            var tables = await TableMeasurement.ListTablesAsync(snapshotConnection, excluded, cancellationToken).ConfigureAwait(false);
            var (critical, missing) = TableMeasurement.ResolveCritical(tables, request.CriticalTables);
            foreach (var name in missing)
            {
                log.Warning($"The critical table '{name}' does not exist in {source.Database}; it cannot be fingerprinted.");
            }

            var roles = await TableMeasurement.ListRolesAsync(snapshotConnection, excluded, cancellationToken).ConfigureAwait(false);

            // pg_dump and the evidence read the same snapshot at the same time: the evidence costs little extra wall time.
            var dumpFolder = Path.Combine(pending.Path, "dump");
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var dumpTask = RunPgDumpAsync(tools, source, snapshotId, dumpFolder, request.Jobs, excluded, log, either.Token);
            var measured = 0;
            var evidenceTask = TableMeasurement.MeasureAllAsync(tables, critical, parallelism: 1,
                token => OpenInSnapshotAsync(source, snapshotId, token),
                t =>
                {
                    var done = Interlocked.Increment(ref measured);
                    log.Progress(new OperationProgress(ProgressId, "Backing up the database", "pg_dump is writing; measuring tables in the same snapshot",
                        10 + (70 * done / Math.Max(1, tables.Count)), $"{t.QualifiedName}: {t.RowCount} rows"));
                },
                either.Token);
            await WhenBothAsync(dumpTask, evidenceTask, either).ConfigureAwait(false);
            var evidence = evidenceTask.Result;
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            log.Progress(new OperationProgress(ProgressId, "Backing up the database", "Hashing the dump", 85));
            var files = await pending.HashPayloadAsync(Math.Max(2, request.Jobs), cancellationToken).ConfigureAwait(false);
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

    private static async Task<NpgsqlConnection> OpenInSnapshotAsync(NpgsqlConnectionStringBuilder source, string snapshotId, CancellationToken cancellationToken)
    {
        var connection = await DatabaseSession.OpenAsync(source, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            $"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '{snapshotId.Replace("'", "''", StringComparison.Ordinal)}'", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
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
