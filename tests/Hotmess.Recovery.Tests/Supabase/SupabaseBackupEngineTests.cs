using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Supabase;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Supabase;

public sealed class SupabaseBackupEngineTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private readonly CollectingLog _log = new();

    private static readonly SupabaseRestoreOptions Fast = new() { PollInterval = TimeSpan.FromSeconds(2), Timeout = TimeSpan.FromMinutes(10) };

    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private SupabaseBackupEngine Engine(Secret? token = null, string projectRef = PlatformFakes.ProjectRef)
    {
        var client = new SupabaseManagementClient(fake.Http, fake.Url("supabase-management"), token ?? PlatformFakes.ManagementToken, projectRef, _log,
            new HttpResilienceOptions { Time = _clock, MaxRetryAfter = TimeSpan.FromSeconds(5), BaseDelay = TimeSpan.FromMilliseconds(10) });
        return new SupabaseBackupEngine(client, _clock, _log);
    }

    private Task EnablePitrAsync(object? extra = null) => fake.PostAsync("__fake/supabase-management/backups", extra ?? new { pitrEnabled = true });

    private async Task<List<string>> RestoreRequestsAsync() =>
        (await fake.RequestsAsync("supabase-management")).Where(r => r.Contains("/restore", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task The_project_reports_status_region_version_and_the_daily_backups_it_keeps()
    {
        var project = await Engine().GetProjectAsync(CancellationToken.None);

        Assert.Equal("ACTIVE_HEALTHY", project.Status);
        Assert.Equal("eu-west-2", project.Region);
        Assert.Equal("15.8.1.054", project.PostgresVersion);
        Assert.False(project.PitrEnabled);
        Assert.Null(project.PitrWindow);
        Assert.Equal(7, project.DailyBackupsRetained);
        Assert.Equal(TimeSpan.FromDays(6), project.NewestDailyBackupUtc - project.OldestDailyBackupUtc);
    }

    [Fact]
    public async Task A_pitr_project_reports_its_window_and_no_daily_backups()
    {
        await EnablePitrAsync();

        var project = await Engine().GetProjectAsync(CancellationToken.None);

        Assert.True(project.PitrEnabled);
        Assert.Equal(0, project.DailyBackupsRetained);
        Assert.InRange(project.PitrWindow!.Value, TimeSpan.FromDays(7) - TimeSpan.FromMinutes(3), TimeSpan.FromDays(7));
        Assert.InRange(project.PitrLatestUtc!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task The_catalog_lists_daily_backups_newest_first_and_finds_the_newest_before_a_point()
    {
        await fake.PostAsync("__fake/supabase-management/backups", new
        {
            backups = new object[]
            {
                new { id = 7, insertedAt = "2026-11-28T02:00:00Z" },
                new { id = 9, insertedAt = "2026-11-30T02:00:00Z", status = "FAILED" },
                new { id = 8, insertedAt = "2026-11-29T02:00:00Z" },
            },
        });

        var catalog = await Engine().GetCatalogAsync(CancellationToken.None);

        Assert.Equal([9L, 8L, 7L], catalog.DailyBackups.Select(b => b.BackupId));
        Assert.Null(catalog.Window);
        Assert.Equal(8, catalog.NewestDailyBefore(DateTimeOffset.Parse("2026-11-30T12:00:00Z"))!.BackupId);
        Assert.Equal(7, catalog.NewestDailyBefore(DateTimeOffset.Parse("2026-11-29T01:59:59Z"))!.BackupId);
    }

    [Fact]
    public async Task A_daily_restore_waits_through_restoring_and_reports_the_measured_duration()
    {
        await fake.PostAsync("__fake/supabase-management/backups", new { restoreDelayMs = 1500 });
        var engine = Engine();
        var catalog = await engine.GetCatalogAsync(CancellationToken.None);
        var backup = catalog.DailyBackups[1];

        var plan = await engine.PlanRestoreAsync(backup.BackupId, null, CancellationToken.None);
        var result = await _clock.RunAsync(() => engine.RestoreAsync(plan, Fast, CancellationToken.None));

        Assert.Equal("ACTIVE_HEALTHY", result.Status);
        Assert.Equal(backup.TakenUtc, result.RestorePointUtc);
        Assert.True(result.Duration >= Fast.PollInterval * 2, $"{result.Duration} covers at least one poll that saw RESTORING");
        var restores = await fake.GetAsync("__fake/supabase-management/restores");
        Assert.Equal(backup.BackupId, restores[0].GetProperty("id").GetInt64());
        Assert.Contains(_log.Progress, p => p.Status.StartsWith("RESTORING", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_point_in_time_restore_sends_the_point_in_whole_seconds()
    {
        await EnablePitrAsync(new { pitrEnabled = true, restoreDelayMs = 500 });
        var engine = Engine();
        var point = DateTimeOffset.UtcNow.AddHours(-3).AddMilliseconds(700);

        var plan = await engine.PlanRestoreAsync(null, point, CancellationToken.None);
        var result = await _clock.RunAsync(() => engine.RestoreAsync(plan, Fast, CancellationToken.None));

        Assert.Equal(SupabaseRestoreKind.PointInTime, result.Kind);
        var restores = await fake.GetAsync("__fake/supabase-management/restores");
        Assert.Equal(point.ToUnixTimeSeconds(), restores[0].GetProperty("recoveryTimeTargetUnix").GetInt64());
        Assert.InRange(plan.DataLost, TimeSpan.FromHours(3) - TimeSpan.FromMinutes(1), TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task The_plan_says_what_is_restored_and_how_much_data_is_lost()
    {
        await EnablePitrAsync();
        var point = _clock.GetUtcNow().AddHours(-5).AddMinutes(-10);

        var plan = await Engine().PlanRestoreAsync(null, point, CancellationToken.None);

        Assert.Contains("to the point in time " + point.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'"), plan.Description);
        Assert.Contains("5 h 10 min of data", plan.Description);
        Assert.Contains("'hotmess' (hotmessrecoveryfakes)", plan.Description);
        Assert.Empty(await RestoreRequestsAsync());
    }

    [Fact]
    public async Task A_point_in_time_without_pitr_is_refused_before_anything_is_sent_naming_the_daily_backup_instead()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Engine().PlanRestoreAsync(null, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None));

        Assert.Equal("SupabasePitrNotEnabled", ex.ErrorId);
        Assert.Contains("daily backup instead: the newest is 1000", ex.Message);
        Assert.Empty(await RestoreRequestsAsync());
    }

    [Theory]
    [InlineData(-8 * 24 * 60, "before the earliest point")]
    [InlineData(30, "after the latest point")]
    public async Task A_point_outside_the_window_is_refused_before_anything_is_sent(int minutesFromNow, string side)
    {
        await EnablePitrAsync();

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            Engine().PlanRestoreAsync(null, DateTimeOffset.UtcNow.AddMinutes(minutesFromNow), CancellationToken.None));

        Assert.Equal("SupabasePointInTimeOutsideWindow", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Contains(side, ex.Message);
        Assert.Empty(await RestoreRequestsAsync());
    }

    [Fact]
    public async Task A_backup_the_project_does_not_have_is_refused_listing_those_it_has()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Engine().PlanRestoreAsync(4242, null, CancellationToken.None));

        Assert.Equal("SupabaseBackupNotFound", ex.ErrorId);
        Assert.Contains("1000, 999", ex.Message);
        Assert.Empty(await RestoreRequestsAsync());
    }

    [Fact]
    public async Task A_project_that_does_not_exist_is_not_found()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Engine(projectRef: "nosuchprojectatallxx").GetProjectAsync(CancellationToken.None));

        Assert.Equal("SupabaseProjectNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task A_token_without_rights_on_the_backups_is_forbidden()
    {
        await fake.PostAsync("__fake/supabase-management/backups", new { limitedToken = "sbp_readonlymember00001" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            Engine(new Secret("sbp_readonlymember00001")).GetCatalogAsync(CancellationToken.None));

        Assert.Equal("SupabaseManagementForbidden", ex.ErrorId);
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
        Assert.DoesNotContain("sbp_readonlymember00001", ex.Message);
    }

    [Fact]
    public async Task A_project_in_the_middle_of_another_operation_is_not_restored()
    {
        await fake.PostAsync("__fake/supabase-management/project", new { status = "RESTORING" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Engine().PlanRestoreAsync(1000, null, CancellationToken.None));

        Assert.Equal("SupabaseProjectNotReady", ex.ErrorId);
        Assert.Contains("is RESTORING", ex.Message);
    }

    [Fact]
    public async Task A_restore_that_never_ends_times_out_with_a_clear_error()
    {
        await fake.PostAsync("__fake/supabase-management/backups", new { restoreDelayMs = 600_000 });
        var engine = Engine();
        var plan = await engine.PlanRestoreAsync(1000, null, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            _clock.RunAsync(() => engine.RestoreAsync(plan, Fast with { Timeout = TimeSpan.FromSeconds(20) }, CancellationToken.None)));

        Assert.Equal("SupabaseRestoreTimedOut", ex.ErrorId);
        Assert.Contains("still RESTORING", ex.Message);
        Assert.Contains("do not ask for another restore", ex.Message);
    }

    [Fact]
    public async Task A_restore_supabase_reports_failed_ends_with_that_status()
    {
        await fake.PostAsync("__fake/supabase-management/backups", new { restoreDelayMs = 300, restoreOutcome = "RESTORE_FAILED" });
        var engine = Engine();
        var plan = await engine.PlanRestoreAsync(1000, null, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => _clock.RunAsync(() => engine.RestoreAsync(plan, Fast, CancellationToken.None)));

        Assert.Equal("SupabaseRestoreFailed", ex.ErrorId);
        Assert.Contains("RESTORE_FAILED", ex.Message);
    }

    [Fact]
    public async Task A_project_never_seen_restoring_counts_as_restored_only_after_the_grace_period()
    {
        await fake.PostAsync("__fake/supabase-management/backups", new { restoreDelayMs = 0 });
        var engine = Engine();
        var plan = await engine.PlanRestoreAsync(1000, null, CancellationToken.None);

        var result = await _clock.RunAsync(() => engine.RestoreAsync(plan, Fast with { StartGrace = TimeSpan.FromSeconds(30) }, CancellationToken.None));

        Assert.True(result.Duration >= TimeSpan.FromSeconds(30), $"{result.Duration}");
    }
}
