using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// The audit records of data retention runs in a repository: <c>&lt;repository&gt;/retention/&lt;id&gt;.json</c>, private
/// files written atomically. A record is written when a run starts and rewritten after every rule, so a run that
/// is killed leaves a record in state Running that the next run marks Interrupted and resumes.
/// </summary>
public sealed class DataRetentionAuditLog
{
    public DataRetentionAuditLog(string repositoryRoot)
    {
        Folder = Path.Combine(Path.GetFullPath(repositoryRoot), "retention");
    }

    public string Folder { get; }

    public string PathOf(DataRetentionAuditRecord record) => Path.Combine(Folder, record.Id + ".json");

    public string Save(DataRetentionAuditRecord record)
    {
        PrivateFiles.CreateFolder(Folder);
        var path = PathOf(record);
        Json.WriteAtomically(path, record);
        return path;
    }

    /// <summary>Every record, oldest first.</summary>
    public IReadOnlyList<DataRetentionAuditRecord> GetRecords()
    {
        if (!Directory.Exists(Folder))
        {
            return [];
        }

        // Ids sort by the second only; two runs in one second are told apart by their start.
        return Directory.EnumerateFiles(Folder, "*.json")
            .Select(f => Json.Deserialize<DataRetentionAuditRecord>(File.ReadAllText(f)))
            .OrderBy(r => r.StartedUtc)
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .ToList();
    }

    public static string NewId(DateTimeOffset startedUtc) =>
        $"{startedUtc.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid().ToString("N")[..6]}";
}
