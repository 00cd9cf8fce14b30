namespace Hotmess.Recovery.Supabase;

/// <summary>What a Supabase restore goes back to.</summary>
public enum SupabaseRestoreKind
{
    /// <summary>One of the project's daily backups.</summary>
    Daily,

    /// <summary>A point inside the PITR window.</summary>
    PointInTime,
}
