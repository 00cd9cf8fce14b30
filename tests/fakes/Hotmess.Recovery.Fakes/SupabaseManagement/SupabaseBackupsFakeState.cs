namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>
/// The project's managed backups: the daily backups, point-in-time recovery and a restore in progress. Guarded by
/// the project's <see cref="SupabaseManagementFakeState.Gate"/>.
/// </summary>
internal sealed class SupabaseBackupsFakeState
{
    public bool PitrEnabled { get; set; }

    public bool WalgEnabled { get; set; } = true;

    public List<FakeBackup> Backups { get; } = [];

    /// <summary>The PITR window as set by a test; null = the last 7 days up to two minutes ago, read at each request.</summary>
    public long? EarliestUnix { get; set; }

    public long? LatestUnix { get; set; }

    /// <summary>How long a restore keeps the project <c>RESTORING</c>.</summary>
    public TimeSpan RestoreDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The status the project has once a restore ends: <c>ACTIVE_HEALTHY</c> or <c>RESTORE_FAILED</c>.</summary>
    public string RestoreOutcome { get; set; } = "ACTIVE_HEALTHY";

    /// <summary>A token the API knows but that may not manage this project's backups: 403 on the backup endpoints.</summary>
    public string? LimitedToken { get; set; }

    /// <summary>The restores asked for, in order: <c>{kind, id | recoveryTimeTargetUnix, at}</c>.</summary>
    public List<object> Restores { get; } = [];

    public Timer? RestoreTimer { get; set; }

    public (long Earliest, long Latest) Window(DateTimeOffset now) =>
        (EarliestUnix ?? now.AddDays(-7).ToUnixTimeSeconds(), LatestUnix ?? now.AddMinutes(-2).ToUnixTimeSeconds());

    /// <summary>A Pro plan's seven daily backups, taken at 02:00 UTC, newest first; no PITR.</summary>
    public void Reset(DateTimeOffset now)
    {
        PitrEnabled = false;
        WalgEnabled = true;
        EarliestUnix = null;
        LatestUnix = null;
        RestoreDelay = TimeSpan.FromSeconds(2);
        RestoreOutcome = "ACTIVE_HEALTHY";
        LimitedToken = null;
        Restores.Clear();
        RestoreTimer?.Dispose();
        RestoreTimer = null;
        Backups.Clear();
        var day = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero).AddHours(2);
        if (day > now)
        {
            day = day.AddDays(-1);
        }

        for (var i = 0; i < 7; i++)
        {
            Backups.Add(new FakeBackup(1000 - i, true, "COMPLETED", day.AddDays(-i)));
        }
    }
}

internal sealed record FakeBackup(long Id, bool IsPhysicalBackup, string Status, DateTimeOffset InsertedAt);
