namespace Hotmess.Recovery.Supabase;

/// <summary>What a project can be restored from: its daily backups, newest first, and its PITR window when it has one.</summary>
public sealed record SupabaseBackupCatalog(string ProjectRef, bool PitrEnabled, IReadOnlyList<SupabaseDailyBackup> DailyBackups,
    SupabasePointInTimeWindow? Window)
{
    /// <summary>The newest completed daily backup taken at or before <paramref name="point"/>, if any.</summary>
    public SupabaseDailyBackup? NewestDailyBefore(DateTimeOffset point) =>
        DailyBackups.Where(b => b.IsRestorable && b.TakenUtc <= point).MaxBy(b => b.TakenUtc);
}
