using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Npgsql;
using NpgsqlTypes;

namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// Carries out a data retention policy: every rule checked against the catalog first, then rule by rule in order,
/// batch by batch. A batch is one short transaction, sized to take about <see cref="DataRetentionRequest.TargetBatchDuration"/>,
/// that locks at most <see cref="DataRetentionRequest.BatchSize"/> rows of the next due, unheld rows by primary key and acts on them, under a lock_timeout, so no lock is held long
/// and a lock held elsewhere makes the batch wait its turn instead of queueing everyone behind it. Every committed
/// batch stays done: an interrupted run is resumed by the next one, which finds only what is still due.
/// </summary>
public static class DataRetentionEngine
{
    private const int ProgressId = 12;

    // The first batch of a rule is small: how long its rows take to remove is not known yet.
    private const int InitialBatchSize = 16;

    /// <summary>The policy's rules in run order, each with the rows due now and held (Get-HotmessRetentionPolicy).</summary>
    public static async Task<IReadOnlyList<DataRetentionRuleDue>> GetDueAsync(string connectionString, DataRetentionPolicy policy, IOperationLog log, CancellationToken ct)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        await using var connection = await DatabaseSession.OpenAsync(builder, ct).ConfigureAwait(false);
        await SetLockTimeoutAsync(connection, TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
        var targets = await DataRetentionCatalog.ResolveAsync(connection, policy, ct).ConfigureAwait(false);
        var due = new List<DataRetentionRuleDue>();
        foreach (var target in targets)
        {
            var measured = await MeasureAsync(connection, target, builder, ct).ConfigureAwait(false);
            log.Verbose($"{target.Rule.Name}: {measured.Due} row(s) of {target.Table} due, {measured.Held} held{TimeRange(measured)}.");
            due.Add(DataRetentionRuleDue.Of(target.Rule, policy) with
            {
                RowsDue = measured.Due,
                Held = measured.Held,
                OldestDueUtc = measured.Oldest,
                NewestDueUtc = measured.Newest,
            });
        }

        return due;
    }

    public static async Task<DataRetentionRun> RunAsync(DataRetentionRequest request, IOperationLog log, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(request.BatchSize, 1);
        var clock = request.Clock;
        var builder = new NpgsqlConnectionStringBuilder(request.ConnectionString);
        var where = ConnectionStrings.Redact(builder);
        log.Progress(new OperationProgress(ProgressId, "Data retention", $"Checking {request.Policy.Rules.Count} rule(s) against {where}", 0));
        await using var connection = await DatabaseSession.OpenAsync(builder, ct).ConfigureAwait(false);
        await SetLockTimeoutAsync(connection, request.LockTimeout, ct).ConfigureAwait(false);

        // Every rule is checked before any rule runs: a typo in the last rule must not leave the first half applied.
        var targets = await DataRetentionCatalog.ResolveAsync(connection, request.Policy, ct).ConfigureAwait(false);
        log.Verbose($"All {targets.Count} rule(s) of {request.Policy.Source} match the tables and columns of {where}; run order: {string.Join(", ", targets.Select(t => t.Rule.Name))}.");

        var audit = request.Repository is null || request.WhatIf ? null : new DataRetentionAuditLog(BackupRepository.OpenOrCreate(request.Repository).Root);
        var record = audit is null ? null : BeginRecord(audit, request, where, log);
        var results = new List<DataRetentionResult>();
        try
        {
            for (var i = 0; i < targets.Count; i++)
            {
                var target = targets[i];
                log.Progress(new OperationProgress(ProgressId, "Data retention", $"{target.Rule.Name} ({target.Rule.Action} on {target.Rule.Table})", i * 100 / targets.Count));
                var result = request.WhatIf
                    ? await PreviewAsync(connection, target, builder, clock, ct).ConfigureAwait(false)
                    : await ApplyAsync(connection, target, builder, request, log, ct).ConfigureAwait(false);
                log.Verbose($"{target.Rule.Name}: {(request.WhatIf ? "would " + target.Rule.Action.ToString().ToLowerInvariant() : target.Rule.Action.ToString().ToLowerInvariant())} {result.Rows} row(s) of {target.Table}, {result.Held} held{TimeRange(result.OldestDueUtc, result.NewestDueUtc)}.");
                results.Add(result);
                if (record is not null)
                {
                    record.Rules.Add(DataRetentionAuditRule.From(result));
                    audit!.Save(record);
                }
            }
        }
        catch (Exception ex) when (record is not null)
        {
            record.State = ex is OperationCanceledException ? DataRetentionRunState.Interrupted : DataRetentionRunState.Failed;
            record.Failure = ex is OperationCanceledException ? "Stopped before every rule had run; the next run resumes." : ex.Message;
            record.CompletedUtc = clock.GetUtcNow();
            audit!.Save(record);
            throw;
        }
        finally
        {
            log.Progress(new OperationProgress(ProgressId, "Data retention", "Done", 100, Completed: true));
        }

        IReadOnlyList<BackupSetWithErasedData> exposed = [];
        if (request.Repository is not null && File.Exists(Path.Combine(request.Repository, BackupRepository.DescriptorFileName)))
        {
            var records = audit?.GetRecords() ?? new DataRetentionAuditLog(request.Repository).GetRecords();
            exposed = ErasedDataInBackups.Find(BackupRepository.Open(request.Repository), records, request.ErasureWindow, clock.GetUtcNow());
            foreach (var set in exposed)
            {
                log.Warning($"The backup set {set.SetId} (started {set.StartedUtc.UtcDateTime:u}) is older than the erasure window ({Window(request.ErasureWindow)}) and still holds "
                    + $"{set.RowsErasedSince} row(s) erased since by {set.RunsSince} retention run(s); remove it (Remove-HotmessBackup -Id {set.SetId}) or keep it knowingly.");
            }
        }

        string? path = null;
        if (record is not null)
        {
            record.State = DataRetentionRunState.Completed;
            record.CompletedUtc = clock.GetUtcNow();
            record.BackupSetsWithErasedData = exposed.Select(s => s.SetId).ToList();
            path = audit!.Save(record);
            log.Verbose($"Audit record: {path}.");
        }

        return new DataRetentionRun(results, path, exposed);
    }

    private static DataRetentionAuditRecord BeginRecord(DataRetentionAuditLog audit, DataRetentionRequest request, string database, IOperationLog log)
    {
        var started = request.Clock.GetUtcNow();
        var record = new DataRetentionAuditRecord
        {
            Id = DataRetentionAuditLog.NewId(started),
            State = DataRetentionRunState.Running,
            StartedUtc = started,
            Policy = request.Policy.Source,
            PolicySha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(request.Policy.ToJson()))).ToLowerInvariant(),
            Database = database,
        };

        // A record still Running belongs to a run that was killed; one Interrupted, to a run that was stopped. When the
        // latest run is either, this run finishes its work.
        foreach (var unfinished in audit.GetRecords().Where(r => r.State == DataRetentionRunState.Running))
        {
            unfinished.State = DataRetentionRunState.Interrupted;
            unfinished.Failure ??= "The run ended without finishing; a later run resumed it.";
            audit.Save(unfinished);
        }

        if (audit.GetRecords().LastOrDefault() is { State: DataRetentionRunState.Interrupted } last)
        {
            record.Resumes = last.Id;
            log.Verbose($"The retention run {last.Id} did not finish; this run resumes it (every batch it committed stays done).");
        }

        audit.Save(record);
        return record;
    }

    private static async Task<DataRetentionResult> PreviewAsync(
        NpgsqlConnection connection, DataRetentionTarget target, NpgsqlConnectionStringBuilder builder, TimeProvider clock, CancellationToken ct)
    {
        var started = clock.GetTimestamp();
        var measured = await MeasureAsync(connection, target, builder, ct).ConfigureAwait(false);
        return Result(target, measured.Due, measured, clock.GetElapsedTime(started), 0, TimeSpan.Zero, whatIf: true);
    }

    private static async Task<DataRetentionResult> ApplyAsync(
        NpgsqlConnection connection, DataRetentionTarget target, NpgsqlConnectionStringBuilder builder, DataRetentionRequest request, IOperationLog log, CancellationToken ct)
    {
        var clock = request.Clock;
        var started = clock.GetTimestamp();
        var measured = await MeasureAsync(connection, target, builder, ct).ConfigureAwait(false);
        long rows = 0;
        var batches = 0;
        var longest = TimeSpan.Zero;
        string[]? lastKey = null;
        var limit = Math.Min(request.BatchSize, InitialBatchSize);
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var batch = await RunBatchWithRetriesAsync(connection, target, lastKey, limit, builder, request, log, ct).ConfigureAwait(false);
            if (batch.Rows == 0)
            {
                break;
            }

            rows += batch.Rows;
            batches++;
            lastKey = batch.LastKey;
            longest = batch.Elapsed > longest ? batch.Elapsed : longest;
            limit = NextBatchSize(limit, batch.Elapsed, request);
            log.Progress(new OperationProgress(ProgressId + 1, target.Rule.Name, $"{rows:N0} of {measured.Due:N0} row(s)",
                measured.Due == 0 ? -1 : (int)Math.Min(100, rows * 100 / measured.Due), ParentActivityId: ProgressId));
        }

        log.Progress(new OperationProgress(ProgressId + 1, target.Rule.Name, "Done", 100, Completed: true, ParentActivityId: ProgressId));
        return Result(target, rows, measured, clock.GetElapsedTime(started), batches, longest, whatIf: false);
    }

    private static DataRetentionResult Result(DataRetentionTarget target, long rows, Measurement measured, TimeSpan duration, int batches, TimeSpan longest, bool whatIf) => new()
    {
        Rule = target.Rule.Name,
        Table = target.Rule.Table,
        Action = target.Rule.Action,
        Rows = rows,
        Held = measured.Held,
        Duration = duration,
        Batches = batches,
        LongestBatch = longest,
        OldestDueUtc = measured.Oldest,
        NewestDueUtc = measured.Newest,
        WhatIf = whatIf,
    };

    /// <summary>Doubles the batch while batches take under half the target, halves it when one takes longer.</summary>
    internal static int NextBatchSize(int current, TimeSpan elapsed, DataRetentionRequest request) =>
        elapsed > request.TargetBatchDuration ? Math.Max(1, current / 2)
        : elapsed < request.TargetBatchDuration / 2 ? Math.Min(request.BatchSize, current * 2)
        : current;

    private static async Task<Batch> RunBatchWithRetriesAsync(
        NpgsqlConnection connection, DataRetentionTarget target, string[]? lastKey, int limit, NpgsqlConnectionStringBuilder builder, DataRetentionRequest request, IOperationLog log, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await RunBatchAsync(connection, target, lastKey, limit, request, ct).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable && attempt < request.LockAttempts)
            {
                var wait = TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt - 1));
                log.Verbose($"{target.Rule.Name}: rows of {target.Table} are locked by another session beyond {request.LockTimeout.TotalMilliseconds:0} ms; batch tried again in {wait.TotalMilliseconds:0} ms.");
                await Task.Delay(wait, request.Clock, ct).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                throw new HotmessException("RetentionLockTimeout", FailureKind.Timeout,
                    $"The rule '{target.Rule.Name}' gave up after {attempt} attempts: another session holds locks on {target.Rule.Table} longer than the lock timeout of {request.LockTimeout.TotalMilliseconds:0} ms. Committed batches stay done; run again later to resume.",
                    target.Rule.Name, ex);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                throw new HotmessException("RetentionForeignKeyBlocked", FailureKind.InvalidOperation,
                    $"The rule '{target.Rule.Name}' cannot {target.Rule.Action.ToString().ToLowerInvariant()} rows of {target.Rule.Table}: {ex.MessageText}. Give the rule for the referencing table first (list it in this rule's 'after'). The batch was rolled back.",
                    target.Rule.Name, ex);
            }
            catch (PostgresException ex)
            {
                throw new HotmessException("RetentionRuleFailed", FailureKind.InvalidOperation,
                    $"The rule '{target.Rule.Name}' failed on {target.Rule.Table}: {ex.MessageText} ({ConnectionStrings.Redact(builder)}). The batch was rolled back; committed batches stay done.",
                    target.Rule.Name, ex);
            }
        }
    }

    private static async Task<Batch> RunBatchAsync(NpgsqlConnection connection, DataRetentionTarget target, string[]? lastKey, int limit, DataRetentionRequest request, CancellationToken ct)
    {
        var started = request.Clock.GetTimestamp();
        await using var transaction = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);
        var keys = new List<string[]>();
        await using (var select = new NpgsqlCommand(target.NextBatchSql(lastKey is not null), connection, transaction))
        {
            foreach (var value in lastKey ?? [])
            {
                select.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = NpgsqlDbType.Text });
            }

            select.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
            await using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
            while (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                var key = new string[target.KeyColumns.Count];
                for (var i = 0; i < key.Length; i++)
                {
                    key[i] = reader.GetString(i);
                }

                keys.Add(key);
            }
        }

        if (keys.Count == 0)
        {
            await transaction.CommitAsync(ct).ConfigureAwait(false);
            return new Batch(0, null, request.Clock.GetElapsedTime(started));
        }

        var statements = target.Rule.Action switch
        {
            DataRetentionAction.Anonymize => [target.AnonymizeSql(target.QuotedSet)],
            DataRetentionAction.Aggregate => [target.AggregateSql(target.QuotedGroupBy, target.QuotedMeasures), target.DeleteSql],
            _ => new[] { target.DeleteSql },
        };
        foreach (var sql in statements)
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction);
            for (var column = 0; column < target.KeyColumns.Count; column++)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = keys.Select(k => k[column]).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            }

            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        await transaction.CommitAsync(ct).ConfigureAwait(false);
        return new Batch(keys.Count, keys[^1], request.Clock.GetElapsedTime(started));
    }

    // For the whole session: counting and checking wait no longer for a lock than a batch does (a migration's exclusive lock, say).
    private static async Task SetLockTimeoutAsync(NpgsqlConnection connection, TimeSpan timeout, CancellationToken ct)
    {
        var milliseconds = Math.Max(1, (long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        await using var setting = new NpgsqlCommand($"SET lock_timeout = {milliseconds}", connection);
        await setting.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task<Measurement> MeasureAsync(NpgsqlConnection connection, DataRetentionTarget target, NpgsqlConnectionStringBuilder builder, CancellationToken ct)
    {
        try
        {
            await using var command = new NpgsqlCommand(target.MeasureSql, connection);
            await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await reader.ReadAsync(ct).ConfigureAwait(false);
            return new Measurement(reader.GetInt64(0), reader.GetInt64(1), Timestamp(reader, 2), Timestamp(reader, 3));
        }
        catch (PostgresException ex)
        {
            throw new HotmessException("RetentionRuleFailed", FailureKind.InvalidOperation,
                $"The rule '{target.Rule.Name}' cannot count its due rows of {target.Rule.Table}: {ex.MessageText} ({ConnectionStrings.Redact(builder)}).", target.Rule.Name, ex);
        }
    }

    private static DateTimeOffset? Timestamp(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private static string Window(TimeSpan window) =>
        window.Ticks % TimeSpan.TicksPerDay == 0 ? $"{window.TotalDays:0} days" : window.ToString("c", CultureInfo.InvariantCulture);

    private static string TimeRange(Measurement measured) => TimeRange(measured.Oldest, measured.Newest);

    private static string TimeRange(DateTimeOffset? oldest, DateTimeOffset? newest) =>
        oldest is null ? string.Empty : $"; oldest due {oldest.Value.UtcDateTime:u}, newest {newest!.Value.UtcDateTime:u}";

    private sealed record Measurement(long Due, long Held, DateTimeOffset? Oldest, DateTimeOffset? Newest);

    private sealed record Batch(int Rows, string[]? LastKey, TimeSpan Elapsed);
}
