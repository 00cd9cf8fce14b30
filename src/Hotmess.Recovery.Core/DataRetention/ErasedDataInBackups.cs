using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// Backups hold erased data too. A database set taken before a retention run that erased rows still holds those
/// rows; once it is older than the policy's erasure window, keeping it keeps erased data past the promise, so it is
/// reported for its owner to decide (Remove-HotmessBackup's own policy should let such sets age out).
/// </summary>
public static class ErasedDataInBackups
{
    public static IReadOnlyList<BackupSetWithErasedData> Find(
        BackupRepository repository, IReadOnlyList<DataRetentionAuditRecord> records, TimeSpan erasureWindow, DateTimeOffset now)
    {
        var erasing = records
            .Select(r => (Record: r, Rows: r.Rules.Sum(rule => rule.Rows)))
            .Where(r => r.Rows > 0)
            .ToList();
        var found = new List<BackupSetWithErasedData>();
        foreach (var set in repository.GetSets(BackupKind.Database).Where(s => s.StartedUtc < now - erasureWindow))
        {
            var since = erasing.Where(r => r.Record.StartedUtc > set.StartedUtc).ToList();
            if (since.Count > 0)
            {
                found.Add(new BackupSetWithErasedData(set.Id, set.StartedUtc, since.Sum(r => r.Rows), since.Count, since.Min(r => r.Record.StartedUtc)));
            }
        }

        return found;
    }
}
