namespace Hotmess.Recovery.Supabase;

/// <summary>A finished Supabase restore and its measured duration (asked for to ACTIVE_HEALTHY).</summary>
public sealed record SupabaseRestoreResult
{
    public required string ProjectRef { get; init; }

    public required SupabaseRestoreKind Kind { get; init; }

    public long? BackupId { get; init; }

    public required DateTimeOffset RestorePointUtc { get; init; }

    public required DateTimeOffset StartedUtc { get; init; }

    public required DateTimeOffset CompletedUtc { get; init; }

    public TimeSpan Duration => CompletedUtc - StartedUtc;

    /// <summary>The project's status at the end: ACTIVE_HEALTHY.</summary>
    public required string Status { get; init; }

    /// <summary>What was lost: from the restore point to when the restore was asked for.</summary>
    public TimeSpan DataLost => StartedUtc - RestorePointUtc;
}
