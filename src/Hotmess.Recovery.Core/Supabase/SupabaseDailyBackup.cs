namespace Hotmess.Recovery.Supabase;

/// <summary>One of the project's daily backups; pipes into <c>Restore-HotmessSupabaseBackup</c> by <see cref="BackupId"/>.</summary>
public sealed record SupabaseDailyBackup(string ProjectRef, long BackupId, DateTimeOffset TakenUtc, string Status, bool IsPhysicalBackup)
{
    /// <summary>Only a completed backup can be restored.</summary>
    public bool IsRestorable => Status == "COMPLETED";
}
