namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// A backup set older than the erasure window that was taken before data retention runs erased rows: it still holds
/// data the live database no longer has, so its owner decides whether it goes (Remove-HotmessBackup -Id).
/// </summary>
public sealed record BackupSetWithErasedData(string SetId, DateTimeOffset StartedUtc, long RowsErasedSince, int RunsSince, DateTimeOffset FirstErasureSinceUtc);
