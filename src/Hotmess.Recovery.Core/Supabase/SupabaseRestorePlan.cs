using System.Globalization;

namespace Hotmess.Recovery.Supabase;

/// <summary>A restore checked against the project's backups and window, not yet asked for.</summary>
public sealed record SupabaseRestorePlan
{
    public required string ProjectRef { get; init; }

    public required string ProjectName { get; init; }

    public required SupabaseRestoreKind Kind { get; init; }

    /// <summary>The daily backup restored; null for a point-in-time restore.</summary>
    public long? BackupId { get; init; }

    /// <summary>The moment the database goes back to: the backup's time, or the point in time (whole seconds).</summary>
    public required DateTimeOffset RestorePointUtc { get; init; }

    /// <summary>When the plan was made; what changed between the restore point and this is lost.</summary>
    public required DateTimeOffset PlannedUtc { get; init; }

    public TimeSpan DataLost => PlannedUtc - RestorePointUtc;

    /// <summary>What the restore does, in the words -WhatIf and the confirmation prompt use.</summary>
    public string Description
    {
        get
        {
            var what = Kind == SupabaseRestoreKind.Daily
                ? $"daily backup {BackupId} taken {Stamp(RestorePointUtc)}"
                : $"the point in time {Stamp(RestorePointUtc)}";
            return $"Restore the database of Supabase project '{ProjectName}' ({ProjectRef}) to {what}. Every change made after "
                   + $"{Stamp(RestorePointUtc)} is lost: {Span(DataLost)} of data up to {Stamp(PlannedUtc)}, and whatever is written "
                   + "until the restore starts. The project is unavailable (RESTORING) until Supabase reports it ACTIVE_HEALTHY again.";
        }
    }

    internal static string Stamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Span(TimeSpan span) =>
        span.TotalDays >= 1 ? $"{(int)span.TotalDays} d {span.Hours} h {span.Minutes} min"
        : span.TotalHours >= 1 ? $"{(int)span.TotalHours} h {span.Minutes} min"
        : span.TotalMinutes >= 1 ? $"{(int)span.TotalMinutes} min {span.Seconds} s"
        : $"{Math.Max(0, (int)span.TotalSeconds)} s";
}
