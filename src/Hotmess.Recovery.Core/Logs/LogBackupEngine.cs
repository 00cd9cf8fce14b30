using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Logs;

/// <summary>
/// Keeps the Supabase project's security logs beyond the 7 days Supabase keeps them: each run stores the rows of
/// [previous set's end, now − ingestion delay) as a set of kind Log, one NDJSON file per source. Ranges are half open
/// and each run starts exactly where the newest log set ended, so runs leave no gap and store no row twice; within a
/// run, a full page is followed by a query from its last timestamp, skipping the ids already written.
/// </summary>
public static partial class LogBackupEngine
{
    private const int ProgressId = 30;

    /// <summary>The new set, or null when there is nothing new to store yet.</summary>
    public static async Task<BackupSet?> BackupAsync(LogBackupRequest request, IOperationLog log, CancellationToken ct)
    {
        foreach (var source in request.Sources)
        {
            if (!SourcePattern().IsMatch(source))
            {
                throw new HotmessException("LogSourceInvalid", FailureKind.InvalidArgument,
                    $"'{source}' is not a log source name (such as auth_logs or edge_logs).", source);
            }
        }

        var repository = BackupRepository.OpenOrCreate(request.Repository);
        using var repositoryLock = repository.Lock(BackupKind.Log, log);
        var now = request.Clock.GetUtcNow();
        var previous = repository.GetSets(BackupKind.Log).Select(s => s.Manifest.Contents).OfType<LogContents>()
            .Where(c => c.Project == request.Client.ProjectRef).MaxBy(c => c.RangeEndUtc);
        var start = Microseconds(previous?.RangeEndUtc ?? request.From ?? now - request.FirstRunLookBack);
        if (previous is not null && request.From is { } from && from != previous.RangeEndUtc)
        {
            log.Verbose($"Log sets already reach {previous.RangeEndUtc.UtcDateTime:u}; this set starts there, not at {from.UtcDateTime:u}, so none overlaps or leaves a gap.");
        }

        var end = Microseconds(request.Until ?? now - request.IngestionDelay);
        if (end <= start)
        {
            log.Verbose($"No new logs to store: the last log set already ends at {start.UtcDateTime:u}.");
            return null;
        }

        var pending = repository.BeginSet(BackupKind.Log, now);
        try
        {
            var contents = new LogContents { Project = request.Client.ProjectRef, RangeStartUtc = start, RangeEndUtc = end };
            for (var i = 0; i < request.Sources.Count; i++)
            {
                var source = request.Sources[i];
                log.Progress(new OperationProgress(ProgressId, "Backing up Supabase logs", $"{source}, {start.UtcDateTime:u} to {end.UtcDateTime:u}", i * 100 / request.Sources.Count));
                contents.Sources.Add(await WriteSourceAsync(request, pending.Path, source, start, end, log, ct).ConfigureAwait(false));
            }

            log.Progress(new OperationProgress(ProgressId, "Backing up Supabase logs", "Done", 100, Completed: true));
            var manifest = new BackupManifest
            {
                Source = new BackupSource { Project = request.Client.ProjectRef },
                Files = await pending.HashPayloadAsync(2, ct).ConfigureAwait(false),
                Contents = contents,
                CompletedUtc = request.Clock.GetUtcNow(),
            };
            return pending.Complete(manifest);
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    private static async Task<LogSourceContents> WriteSourceAsync(
        LogBackupRequest request, string folder, string source, DateTimeOffset start, DateTimeOffset end, IOperationLog log, CancellationToken ct)
    {
        var file = source + ".ndjson";
        var entry = new LogSourceContents { Name = source, File = file };
        var sql = $"select id, timestamp, event_message, metadata from {source} order by timestamp asc limit {SupabaseManagementClient.LogRowLimit}";
        await using var stream = new FileStream(Path.Combine(folder, file), PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write));
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false));
        for (var window = start; window < end; window += request.Window)
        {
            var windowEnd = window + request.Window < end ? window + request.Window : end;
            var from = window;
            var seenAtFrom = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var rows = await request.Client.QueryLogsAsync(sql, from, windowEnd, ct).ConfigureAwait(false);
                DateTimeOffset? last = null;
                var lastIds = new HashSet<string>(StringComparer.Ordinal);
                foreach (var row in rows)
                {
                    var (id, at) = Identify(row, source);
                    if (at < window || at >= windowEnd || (at == from && seenAtFrom.Contains(id)))
                    {
                        continue; // outside this half-open window, or written by the previous page
                    }

                    await writer.WriteLineAsync(row.GetRawText().AsMemory(), ct).ConfigureAwait(false);
                    entry.Rows++;
                    entry.FirstUtc ??= at;
                    entry.LastUtc = at;
                    if (at != last)
                    {
                        lastIds.Clear();
                        last = at;
                    }

                    lastIds.Add(id);
                }

                if (rows.Count < SupabaseManagementClient.LogRowLimit)
                {
                    break;
                }

                // A full page: ask again from its last timestamp. Rows of that instant already written are skipped by id.
                if (last is null || (last == from && lastIds.IsSubsetOf(seenAtFrom)))
                {
                    throw new HotmessException("LogPageNotAdvancing", FailureKind.RemoteServiceFailed,
                        $"The {source} logs hold more than {SupabaseManagementClient.LogRowLimit} rows at {from.UtcDateTime:o}; they cannot be paged by time.", source);
                }

                if (last == from)
                {
                    seenAtFrom.UnionWith(lastIds);
                }
                else
                {
                    seenAtFrom = lastIds;
                }

                from = last.Value;
            }
        }

        log.Verbose($"{source}: {entry.Rows} row(s) from {start.UtcDateTime:u} to {end.UtcDateTime:u}.");
        return entry;
    }

    /// <summary>A row's id and time: Supabase writes the timestamp as microseconds since 1970, or as ISO text.</summary>
    private static (string Id, DateTimeOffset At) Identify(JsonElement row, string source)
    {
        var id = row.TryGetProperty("id", out var idValue) ? idValue.ToString() : null;
        DateTimeOffset? at = null;
        if (row.TryGetProperty("timestamp", out var ts))
        {
            if (ts.ValueKind == JsonValueKind.Number && ts.TryGetInt64(out var micros))
            {
                at = DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
            }
            else if (ts.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(ts.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                at = parsed;
            }
        }

        return id is null || at is null
            ? throw new HotmessException("SupabaseManagementResponseInvalid", FailureKind.RemoteServiceFailed,
                $"A row of the {source} logs has no id or timestamp.", source)
            : (id, at.Value);
    }

    // Supabase stamps log rows to the microsecond: ranges on the same grid put a row on one side of a boundary only.
    private static DateTimeOffset Microseconds(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % 10), TimeSpan.Zero);

    [GeneratedRegex("^[a-z][a-z0-9_]*$")]
    private static partial Regex SourcePattern();
}
