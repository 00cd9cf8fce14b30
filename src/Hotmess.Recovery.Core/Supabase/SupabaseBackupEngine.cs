using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Supabase;

namespace Hotmess.Recovery.Supabase;

/// <summary>
/// Supabase's own backups of one project: what the project offers, its daily backups and PITR window, and restores
/// from them, checked before anything is sent and then waited for by polling the project's status until it is
/// ACTIVE_HEALTHY again. Every wait is on <see cref="TimeProvider"/>.
/// </summary>
public sealed class SupabaseBackupEngine(SupabaseManagementClient client, TimeProvider time, IOperationLog? log = null)
{
    private const int ProgressId = 41;
    private static readonly string[] FailedStatuses = ["RESTORE_FAILED", "INIT_FAILED", "REMOVED"];

    private readonly IOperationLog _log = log ?? NullOperationLog.Instance;

    /// <summary>The project's status, region, Postgres version, PITR window and daily backups retained.</summary>
    public async Task<SupabaseProjectInfo> GetProjectAsync(CancellationToken cancellationToken)
    {
        var project = await client.GetProjectAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await GetCatalogAsync(cancellationToken).ConfigureAwait(false);
        var daily = catalog.DailyBackups.Where(b => b.IsRestorable).ToList();
        return new SupabaseProjectInfo
        {
            ProjectRef = project.Ref,
            Name = project.Name,
            Status = project.Status,
            Region = project.Region,
            PostgresVersion = project.Database?.Version,
            DatabaseHost = project.Database?.Host,
            PitrEnabled = catalog.PitrEnabled,
            PitrEarliestUtc = catalog.Window?.EarliestUtc,
            PitrLatestUtc = catalog.Window?.LatestUtc,
            DailyBackupsRetained = daily.Count,
            OldestDailyBackupUtc = daily.Count > 0 ? daily.Min(b => b.TakenUtc) : null,
            NewestDailyBackupUtc = daily.Count > 0 ? daily.Max(b => b.TakenUtc) : null,
        };
    }

    /// <summary>The daily backups, newest first, and the PITR window when the project has PITR.</summary>
    public async Task<SupabaseBackupCatalog> GetCatalogAsync(CancellationToken cancellationToken)
    {
        var list = await client.ListBackupsAsync(cancellationToken).ConfigureAwait(false);
        var daily = (list.Backups ?? [])
            .Select(b => new SupabaseDailyBackup(client.ProjectRef, b.Id, b.InsertedAt.ToUniversalTime(), b.Status, b.IsPhysicalBackup))
            .OrderByDescending(b => b.TakenUtc)
            .ToList();
        SupabasePointInTimeWindow? window = null;
        if (list.PitrEnabled && list.PhysicalBackupData is { EarliestPhysicalBackupDateUnix: { } earliest, LatestPhysicalBackupDateUnix: { } latest })
        {
            window = new SupabasePointInTimeWindow(client.ProjectRef, DateTimeOffset.FromUnixTimeSeconds(earliest), DateTimeOffset.FromUnixTimeSeconds(latest));
        }

        _log.Verbose($"Supabase project {client.ProjectRef}: {daily.Count} daily backup(s), PITR {(list.PitrEnabled ? "enabled" : "not enabled")}"
                     + (window is null ? "" : $" from {SupabaseRestorePlan.Stamp(window.EarliestUtc)} to {SupabaseRestorePlan.Stamp(window.LatestUtc)}") + ".");
        return new SupabaseBackupCatalog(client.ProjectRef, list.PitrEnabled, daily, window);
    }

    /// <summary>
    /// Checks a restore of daily backup <paramref name="backupId"/> or to <paramref name="pointInTime"/> (exactly one)
    /// against the project and its backups; nothing is sent. Fails with <c>SupabasePitrNotEnabled</c>,
    /// <c>SupabasePointInTimeOutsideWindow</c>, <c>SupabaseBackupNotFound</c>, <c>SupabaseBackupNotRestorable</c> or
    /// <c>SupabaseProjectNotReady</c>.
    /// </summary>
    public async Task<SupabaseRestorePlan> PlanRestoreAsync(long? backupId, DateTimeOffset? pointInTime, CancellationToken cancellationToken)
    {
        if (backupId.HasValue == pointInTime.HasValue)
        {
            throw new HotmessException("SupabaseRestoreTargetInvalid", FailureKind.InvalidArgument,
                "Name either a daily backup (-BackupId) or a point in time (-PointInTime), not both and not neither.", null);
        }

        var project = await client.GetProjectAsync(cancellationToken).ConfigureAwait(false);
        var catalog = await GetCatalogAsync(cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var plan = pointInTime is { } point ? PlanPointInTime(catalog, point, now) : PlanDaily(catalog, backupId!.Value);
        if (!project.IsHealthy)
        {
            throw new HotmessException("SupabaseProjectNotReady", FailureKind.InvalidOperation,
                $"Supabase project '{project.Name}' ({project.Ref}) is {project.Status}; a restore needs it ACTIVE_HEALTHY. "
                + "Wait for the current operation to end (Get-HotmessSupabaseProject shows its status).", project.Ref);
        }

        return plan with { ProjectName = project.Name, PlannedUtc = now };
    }

    private SupabaseRestorePlan PlanPointInTime(SupabaseBackupCatalog catalog, DateTimeOffset point, DateTimeOffset now)
    {
        if (!catalog.PitrEnabled || catalog.Window is null)
        {
            var newest = catalog.DailyBackups.FirstOrDefault(b => b.IsRestorable);
            throw new HotmessException("SupabasePitrNotEnabled", FailureKind.InvalidOperation,
                $"Supabase project {catalog.ProjectRef} has no point-in-time recovery (the PITR add-on is not enabled on its plan), so it cannot "
                + "be restored to a point in time. "
                + (newest is null ? "It lists no daily backup either." : $"Restore a daily backup instead: the newest is {newest.BackupId}, taken {SupabaseRestorePlan.Stamp(newest.TakenUtc)} (Get-HotmessSupabaseBackup)."),
                catalog.ProjectRef);
        }

        // The API takes whole seconds; the window is checked on the point actually sent.
        var target = DateTimeOffset.FromUnixTimeSeconds(point.ToUnixTimeSeconds());
        var window = catalog.Window;
        if (!window.Contains(target))
        {
            var side = target < window.EarliestUtc
                ? $"{SupabaseRestorePlan.Span(window.EarliestUtc - target)} before the earliest point"
                : $"{SupabaseRestorePlan.Span(target - window.LatestUtc)} after the latest point";
            throw new HotmessException("SupabasePointInTimeOutsideWindow", FailureKind.InvalidArgument,
                $"{SupabaseRestorePlan.Stamp(target)} is outside the PITR window of Supabase project {catalog.ProjectRef}, {side}: "
                + $"a point from {SupabaseRestorePlan.Stamp(window.EarliestUtc)} to {SupabaseRestorePlan.Stamp(window.LatestUtc)} can be restored.",
                target);
        }

        return new SupabaseRestorePlan
        {
            ProjectRef = catalog.ProjectRef, ProjectName = "", Kind = SupabaseRestoreKind.PointInTime, RestorePointUtc = target, PlannedUtc = now,
        };
    }

    private static SupabaseRestorePlan PlanDaily(SupabaseBackupCatalog catalog, long backupId)
    {
        var backup = catalog.DailyBackups.FirstOrDefault(b => b.BackupId == backupId);
        if (backup is null)
        {
            var hint = catalog.PitrEnabled
                ? $"The project uses point-in-time recovery, which lists no daily backups: restore with -PointInTime between {SupabaseRestorePlan.Stamp(catalog.Window!.EarliestUtc)} and {SupabaseRestorePlan.Stamp(catalog.Window.LatestUtc)}."
                : $"It has {catalog.DailyBackups.Count} daily backup(s): {string.Join(", ", catalog.DailyBackups.Take(7).Select(b => b.BackupId))}.";
            throw new HotmessException("SupabaseBackupNotFound", FailureKind.NotFound,
                $"Supabase project {catalog.ProjectRef} has no daily backup {backupId}. {hint}", backupId);
        }

        if (!backup.IsRestorable)
        {
            throw new HotmessException("SupabaseBackupNotRestorable", FailureKind.InvalidOperation,
                $"Daily backup {backupId} of Supabase project {catalog.ProjectRef} is {backup.Status}; only a COMPLETED backup can be restored.", backupId);
        }

        return new SupabaseRestorePlan
        {
            ProjectRef = catalog.ProjectRef, ProjectName = "", Kind = SupabaseRestoreKind.Daily, BackupId = backupId,
            RestorePointUtc = backup.TakenUtc, PlannedUtc = DateTimeOffset.MinValue,
        };
    }

    /// <summary>
    /// Asks Supabase for the restore, then reads the project's status every <see cref="SupabaseRestoreOptions.PollInterval"/>
    /// until it is ACTIVE_HEALTHY after having been RESTORING. Fails with <c>SupabaseRestoreFailed</c> or
    /// <c>SupabaseRestoreTimedOut</c>; a status read that fails is reported and read again.
    /// </summary>
    public async Task<SupabaseRestoreResult> RestoreAsync(SupabaseRestorePlan plan, SupabaseRestoreOptions options, CancellationToken cancellationToken)
    {
        var activity = $"Restoring Supabase project {plan.ProjectRef}";
        var started = time.GetUtcNow();
        _log.Progress(new OperationProgress(ProgressId, activity, $"Asking for the restore to {SupabaseRestorePlan.Stamp(plan.RestorePointUtc)}"));
        if (plan.Kind == SupabaseRestoreKind.Daily)
        {
            await client.RestoreBackupAsync(plan.BackupId!.Value, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await client.RestorePointInTimeAsync(plan.RestorePointUtc, cancellationToken).ConfigureAwait(false);
        }

        _log.Verbose($"Supabase accepted the restore of project {plan.ProjectRef} at {SupabaseRestorePlan.Stamp(started)}; waiting for ACTIVE_HEALTHY.");
        var seenRestoring = false;
        var status = "unknown";
        while (true)
        {
            await Task.Delay(options.PollInterval, time, cancellationToken).ConfigureAwait(false);
            var elapsed = time.GetUtcNow() - started;
            try
            {
                var project = await client.GetProjectAsync(cancellationToken).ConfigureAwait(false);
                status = project.Status;
            }
            catch (HotmessException ex) when (ex.Kind is FailureKind.RemoteServiceFailed or FailureKind.ConnectionFailed or FailureKind.Timeout or FailureKind.RateLimited)
            {
                _log.Warning($"The status of Supabase project {plan.ProjectRef} could not be read ({ex.Message}); reading it again.");
            }

            if (FailedStatuses.Contains(status))
            {
                throw new HotmessException("SupabaseRestoreFailed", FailureKind.RemoteServiceFailed,
                    $"Supabase reports the restore of project {plan.ProjectRef} as {status} after {SupabaseRestorePlan.Span(elapsed)}. "
                    + "Check the project in the Supabase dashboard and contact Supabase support; the project's own backups are untouched.", plan.ProjectRef);
            }

            if (status == "ACTIVE_HEALTHY" && (seenRestoring || elapsed >= options.StartGrace))
            {
                var completed = time.GetUtcNow();
                _log.Progress(new OperationProgress(ProgressId, activity, "ACTIVE_HEALTHY", 100, Completed: true));
                _log.Verbose($"Supabase project {plan.ProjectRef} is ACTIVE_HEALTHY again after {SupabaseRestorePlan.Span(completed - started)}.");
                return new SupabaseRestoreResult
                {
                    ProjectRef = plan.ProjectRef, Kind = plan.Kind, BackupId = plan.BackupId, RestorePointUtc = plan.RestorePointUtc,
                    StartedUtc = started, CompletedUtc = completed, Status = status,
                };
            }

            seenRestoring |= status is not ("ACTIVE_HEALTHY" or "unknown");
            if (elapsed >= options.Timeout)
            {
                throw new HotmessException("SupabaseRestoreTimedOut", FailureKind.Timeout,
                    $"Supabase project {plan.ProjectRef} is still {status} {SupabaseRestorePlan.Span(elapsed)} after the restore was asked for "
                    + $"(timeout {SupabaseRestorePlan.Span(options.Timeout)}). The restore may still finish: watch Get-HotmessSupabaseProject until "
                    + "it is ACTIVE_HEALTHY, and do not ask for another restore meanwhile.", plan.ProjectRef);
            }

            _log.Progress(new OperationProgress(ProgressId, activity, $"{status}, {SupabaseRestorePlan.Span(elapsed)} elapsed",
                (int)Math.Min(99, 100 * elapsed.TotalSeconds / options.Timeout.TotalSeconds)));
        }
    }
}
