using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Verification;

/// <summary>
/// Whether a database set and a storage set agree: Supabase keeps a row in <c>storage.objects</c> for every file, so
/// a database from one moment with files from another leaves rows whose file is missing, and files no row refers to.
/// The rows are read from the dump itself (pg_restore of that one table's data), so no restore is needed.
/// </summary>
public static class StorageDatabaseAgreement
{
    public const string Category = "Agreement";

    /// <summary>The storage set nearest in time to <paramref name="databaseSet"/>, or null when the repository has none.</summary>
    public static BackupSet? NearestStorageSet(BackupRepository repository, BackupSet databaseSet) =>
        repository.GetSets(BackupKind.Storage)
            .Where(s => s.State == BackupSetState.Complete)
            .MinBy(s => (s.StartedUtc - databaseSet.StartedUtc).Duration());

    /// <summary>
    /// Adds the agreement checks to <paramref name="verification"/>: rows whose file the storage set lacks, and files
    /// without a row. Nothing is added when the dump holds no storage.objects rows.
    /// </summary>
    public static async Task CheckAsync(BackupSet databaseSet, BackupSet storageSet, BackupVerification verification, string? pgBinDirectory,
        IOperationLog log, CancellationToken cancellationToken)
    {
        var rows = await ReadObjectRowsAsync(databaseSet, pgBinDirectory, log, cancellationToken).ConfigureAwait(false);
        if (rows is null)
        {
            log.Verbose($"The dump of {databaseSet.Id} holds no storage.objects rows; the agreement with storage sets is not checked.");
            return;
        }

        var files = (storageSet.Manifest.Storage?.Objects ?? []).Select(o => (o.Bucket, o.Key)).ToHashSet();
        var missing = rows.Where(r => !files.Contains(r)).OrderBy(r => r.Bucket, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var orphans = files.Where(f => !rows.Contains(f)).OrderBy(f => f.Bucket, StringComparer.Ordinal).ThenBy(f => f.Key, StringComparer.Ordinal).ToList();
        var apart = (storageSet.StartedUtc - databaseSet.StartedUtc).Duration();
        var pair = $"database set {databaseSet.Id} and storage set {storageSet.Id} ({apart.TotalHours:0.#} h apart)";
        verification.Add("Files that storage.objects rows refer to", missing.Count == 0, $"all {rows.Count} in {storageSet.Id}",
            missing.Count == 0 ? $"all {rows.Count} present" : $"{missing.Count} missing: {Sample(missing)}", Category, pair);
        verification.Add("Files without a storage.objects row", orphans.Count == 0, "none",
            orphans.Count == 0 ? "none" : $"{orphans.Count}: {Sample(orphans)}", Category, pair);
        log.Verbose($"Storage and database agreement ({pair}): {missing.Count} row(s) without a file, {orphans.Count} file(s) without a row.");
    }

    private static string Sample(IReadOnlyCollection<(string Bucket, string Name)> objects) =>
        string.Join(", ", objects.Take(5).Select(o => $"{o.Bucket}/{o.Name}")) + (objects.Count > 5 ? $" and {objects.Count - 5} more" : "");

    /// <summary>The (bucket_id, name) of every storage.objects row in the dump; null when the dump has none of that table.</summary>
    internal static async Task<HashSet<(string Bucket, string Name)>?> ReadObjectRowsAsync(BackupSet set, string? pgBinDirectory, IOperationLog log,
        CancellationToken cancellationToken)
    {
        var contents = set.Manifest.Database
            ?? throw new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument, $"The set '{set.Id}' is not a database set.", set.Id);
        var tools = await PostgresTools.LocateAsync(pgBinDirectory, cancellationToken).ConfigureAwait(false);
        var dump = Path.Combine(set.Path, contents.DumpPath);
        var result = await ExternalProcess.RunAsync(tools.PgRestore,
            ["--data-only", "--schema=storage", "--table=objects", "--file=-", dump], null, line => log.Verbose("pg_restore: " + line), cancellationToken)
            .ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new HotmessException("PgRestoreFailed", FailureKind.ExternalToolFailed,
                $"pg_restore could not read the storage.objects rows of '{set.Id}': {result.FailureReason}", set.Id);
        }

        return ParseCopy(result.StandardOutput);
    }

    /// <summary>Reads the <c>COPY storage.objects (…) FROM stdin;</c> block of a pg_restore script.</summary>
    internal static HashSet<(string Bucket, string Name)>? ParseCopy(string script)
    {
        using var reader = new StringReader(script);
        int bucket = -1, name = -1;
        HashSet<(string, string)>? rows = null;
        while (reader.ReadLine() is { } line)
        {
            if (rows is null)
            {
                if (line.StartsWith("COPY storage.objects (", StringComparison.Ordinal))
                {
                    var columns = line["COPY storage.objects (".Length..line.IndexOf(')', StringComparison.Ordinal)].Split(", ").Select(c => c.Trim('"')).ToList();
                    bucket = columns.IndexOf("bucket_id");
                    name = columns.IndexOf("name");
                    rows = [];
                }

                continue;
            }

            if (line == "\\.")
            {
                break;
            }

            var fields = line.Split('\t');
            if (bucket >= 0 && name >= 0 && fields[bucket] != "\\N" && fields[name] != "\\N")
            {
                rows.Add((Unescape(fields[bucket]), Unescape(fields[name])));
            }
        }

        return rows;
    }

    // COPY's text format: backslash escapes for backslash, tab, newline and carriage return.
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        var text = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 1 < field.Length)
            {
                i++;
                text.Append(field[i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', var c => c });
            }
            else
            {
                text.Append(field[i]);
            }
        }

        return text.ToString();
    }
}
