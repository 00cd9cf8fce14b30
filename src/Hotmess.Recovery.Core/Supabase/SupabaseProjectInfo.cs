namespace Hotmess.Recovery.Supabase;

/// <summary>A Supabase project and the recovery it offers: PITR and its window, the daily backups it keeps.</summary>
public sealed record SupabaseProjectInfo
{
    public required string ProjectRef { get; init; }

    public required string Name { get; init; }

    /// <summary>ACTIVE_HEALTHY, RESTORING, RESTORE_FAILED, COMING_UP, INACTIVE, …</summary>
    public required string Status { get; init; }

    public string? Region { get; init; }

    /// <summary>The Postgres version Supabase reports, e.g. <c>15.8.1.054</c>.</summary>
    public string? PostgresVersion { get; init; }

    public string? DatabaseHost { get; init; }

    public bool PitrEnabled { get; init; }

    /// <summary>The earliest and latest points a PITR restore can reach; null without PITR.</summary>
    public DateTimeOffset? PitrEarliestUtc { get; init; }

    public DateTimeOffset? PitrLatestUtc { get; init; }

    public TimeSpan? PitrWindow => PitrEarliestUtc is { } earliest && PitrLatestUtc is { } latest ? latest - earliest : null;

    /// <summary>The completed daily backups Supabase keeps for the project.</summary>
    public int DailyBackupsRetained { get; init; }

    public DateTimeOffset? OldestDailyBackupUtc { get; init; }

    public DateTimeOffset? NewestDailyBackupUtc { get; init; }

    public bool IsHealthy => Status == "ACTIVE_HEALTHY";
}
