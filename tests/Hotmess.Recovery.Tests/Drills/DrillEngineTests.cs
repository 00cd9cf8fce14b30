using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Repository;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Drills;

public sealed class DrillEngineTests : IDisposable
{
    private static readonly DrillObjectives FourHoursAndADay = new(TimeSpan.FromHours(4), TimeSpan.FromHours(24), "the test's objectives");

    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-drills-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 19, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private BackupRepository Repository => BackupRepository.OpenOrCreate(_root);

    private Task<DrillRecord> RunAsync(ScriptedScenario scenario, DrillObjectives objectives) =>
        DrillEngine.RunAsync(scenario, objectives, Repository, NullOperationLog.Instance, default, _clock);

    [Fact]
    public async Task A_drill_within_its_objectives_passes_and_is_kept_as_a_drill_set_with_its_report()
    {
        var scenario = new ScriptedScenario(_clock) { Steps = { ("Restore", TimeSpan.FromMinutes(10), null), ("Verify", TimeSpan.FromMinutes(5), null) } };

        var record = await RunAsync(scenario, FourHoursAndADay);

        Assert.True(record.Passed);
        Assert.Equal(TimeSpan.FromMinutes(15), record.Rto);
        Assert.Equal(TimeSpan.FromHours(2), record.Rpo);
        Assert.Equal(_clock.Start, record.SimulatedIncidentUtc);
        Assert.Equal(["Restore", "Verify", "Remove the scripted target"], record.Steps.Select(s => s.Name));
        Assert.Equal([TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1)], record.Steps.Select(s => s.Duration));
        Assert.True(record.Steps.Last().Cleanup);
        Assert.Empty(record.Improvements);

        var kept = Assert.Single(DrillEngine.GetDrills(Repository));
        Assert.Equal(record.Id, kept.Id);
        Assert.StartsWith("20261124T190000Z-drill-", kept.Id, StringComparison.Ordinal);
        Assert.Equal(BackupKind.Drill, Assert.Single(Repository.GetSets()).Kind);
        Assert.Equal(TimeSpan.FromMinutes(15), kept.Rto);
        Assert.True(kept.Passed);
        Assert.Contains("Result: **PASSED**", File.ReadAllText(kept.ReportPath!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_drill_that_exceeds_its_RTO_fails_it_says_by_how_much_and_is_still_kept()
    {
        var scenario = new ScriptedScenario(_clock) { Steps = { ("Restore", TimeSpan.FromMinutes(9), null), ("Verify", TimeSpan.FromMinutes(3), null) } };

        var record = await RunAsync(scenario, new DrillObjectives(TimeSpan.FromMinutes(10), TimeSpan.FromHours(24), "tiny"));

        Assert.False(record.Passed);
        Assert.False(record.RtoPassed);
        Assert.True(record.RpoPassed);
        Assert.Contains("RTO 12 min 00 s exceeds the 10 min 00 s objective by 2 min 00 s.", record.Findings);
        Assert.Contains(record.Improvements, i => i.StartsWith("'Restore' took 9 min 00 s, 75% of the recovery", StringComparison.Ordinal));
        var kept = Assert.Single(DrillEngine.GetDrills(Repository));
        Assert.False(kept.Passed);
        Assert.Contains("exceeds the 10 min 00 s objective by 2 min 00 s", File.ReadAllText(kept.ReportPath!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_drill_whose_newest_data_is_older_than_the_RPO_fails_it_and_says_by_how_much()
    {
        var scenario = new ScriptedScenario(_clock) { Steps = { ("Restore", TimeSpan.FromMinutes(1), null) }, DataAge = TimeSpan.FromHours(30) };

        var record = await RunAsync(scenario, FourHoursAndADay);

        Assert.False(record.Passed);
        Assert.True(record.RtoPassed);
        Assert.False(record.RpoPassed);
        Assert.Equal(TimeSpan.FromHours(30), record.Rpo);
        Assert.Contains("RPO 30 h 00 min exceeds the 24 h 00 min objective by 6 h 00 min.", record.Findings);
        Assert.Contains(record.Improvements, i => i.Contains("6 h 00 min over the RPO objective", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failed_step_stops_the_recovery_leaves_the_RTO_unmeasured_and_cleanup_still_runs()
    {
        var scenario = new ScriptedScenario(_clock)
        {
            Steps =
            {
                ("Restore", TimeSpan.FromMinutes(2), new HotmessException("PgRestoreFailed", FailureKind.ExternalToolFailed, "pg_restore exited 1.")),
                ("Verify", TimeSpan.FromMinutes(1), null),
            },
        };

        var record = await RunAsync(scenario, FourHoursAndADay);

        Assert.False(record.Passed);
        Assert.Null(record.Rto);
        Assert.Null(record.ServiceVerifiedUtc);
        Assert.True(scenario.CleanedUp);
        Assert.Equal(["Restore", "Remove the scripted target"], record.Steps.Select(s => s.Name));
        var failed = record.Steps[0];
        Assert.False(failed.Passed);
        Assert.Equal("PgRestoreFailed", failed.ErrorId);
        Assert.Equal(TimeSpan.FromMinutes(2), failed.Duration);
        Assert.Contains("RTO not met: the service was never verified (the recovery stopped at 'Restore')", record.Findings[0], StringComparison.Ordinal);
        Assert.Contains(record.Improvements, i => i.StartsWith("'Restore' failed (PgRestoreFailed): pg_restore exited 1.", StringComparison.Ordinal));
        Assert.False(Assert.Single(DrillEngine.GetDrills(Repository)).Passed);
    }

    [Fact]
    public async Task A_step_that_takes_more_than_half_the_RTO_objective_is_an_improvement_even_when_the_drill_passes()
    {
        var scenario = new ScriptedScenario(_clock) { Steps = { ("Restore", TimeSpan.FromHours(2.5), null), ("Verify", TimeSpan.FromMinutes(1), null) } };

        var record = await RunAsync(scenario, FourHoursAndADay);

        Assert.True(record.Passed);
        var improvement = Assert.Single(record.Improvements);
        Assert.StartsWith("'Restore' alone took 2 h 30 min, more than half of the 4 h 00 min RTO objective", improvement, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_target_runs_nothing_and_keeps_no_record()
    {
        var scenario = new ScriptedScenario(_clock)
        {
            Steps = { ("Restore", TimeSpan.FromMinutes(1), null) },
            Refusal = new HotmessException("DrillTargetIsProduction", FailureKind.InvalidArgument, "production"),
        };

        var ex = await Assert.ThrowsAsync<HotmessException>(() => RunAsync(scenario, FourHoursAndADay));

        Assert.Equal("DrillTargetIsProduction", ex.ErrorId);
        Assert.False(scenario.CleanedUp);
        Assert.Empty(DrillEngine.GetDrills(Repository));
    }

    [Fact]
    public async Task Without_an_RPO_objective_the_RPO_is_measured_but_not_judged()
    {
        var scenario = new ScriptedScenario(_clock) { Steps = { ("Rotate", TimeSpan.FromMinutes(1), null) }, DataAge = TimeSpan.FromDays(3) };

        var record = await RunAsync(scenario, new DrillObjectives(TimeSpan.FromHours(48), null, "case-dependent"));

        Assert.True(record.Passed);
        Assert.Equal(TimeSpan.FromDays(3), record.Rpo);
        Assert.Contains(record.Findings, f => f.Contains("not judged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Steps_a_runbook_timed_are_kept_with_their_own_timing_and_the_RTO_ends_where_its_verification_ended()
    {
        var scenario = new ScriptedScenario(_clock)
        {
            Recorded = { ("Runbook Infrastructure: Restore", TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(20)), ("Runbook Verify: Flows", TimeSpan.FromMinutes(25), TimeSpan.FromMinutes(5)) },
            // The runbook went on (Communicate) after the service was verified.
            RecordedRunTakes = TimeSpan.FromMinutes(45),
            VerifiedAfter = TimeSpan.FromMinutes(30),
        };

        var record = await RunAsync(scenario, FourHoursAndADay);

        Assert.True(record.Passed);
        Assert.Equal(TimeSpan.FromMinutes(30), record.Rto);
        var verify = record.Steps.Single(s => s.Name == "Runbook Verify: Flows");
        Assert.Equal(_clock.Start + TimeSpan.FromMinutes(25), verify.StartedUtc);
        Assert.Equal(TimeSpan.FromMinutes(5), verify.Duration);
        Assert.True(verify.Passed);
        Assert.False(verify.Cleanup);
        Assert.Equal(["Runbook Infrastructure: Restore", "Runbook Verify: Flows", "Remove the scripted target"], record.Steps.Select(s => s.Name));
    }

    [Fact]
    public void Objectives_are_the_plans_row_for_the_scenario_unless_the_configuration_or_the_caller_says_otherwise()
    {
        var configuration = new HotmessConfiguration();
        Assert.Equal(new DrillObjectives(TimeSpan.FromHours(4), TimeSpan.FromHours(24), "the plan's 'Database restore' row"),
            DrillObjectives.For(DrillScenario.DatabaseRestore, configuration));
        Assert.Equal(new DrillObjectives(TimeSpan.FromHours(1), TimeSpan.Zero, "the plan's 'Minor outage' row"),
            DrillObjectives.For(DrillScenario.ApplicationRollback, configuration));
        Assert.Equal(new DrillObjectives(TimeSpan.FromHours(24), TimeSpan.FromHours(24), "the plan's 'Full disaster' row"),
            DrillObjectives.For(DrillScenario.PlatformRecovery, configuration));

        configuration.Objectives.RtoHours = 2;
        configuration.Drills.Objectives["applicationRollback"] = new DrillObjectiveSettings { RtoHours = 0.25 };
        Assert.Equal(TimeSpan.FromHours(2), DrillObjectives.For(DrillScenario.DatabaseRestore, configuration).Rto);
        // The database objective does not move the full disaster's.
        Assert.Equal(TimeSpan.FromHours(24), DrillObjectives.For(DrillScenario.PlatformRecovery, configuration).Rto);
        var rollback = DrillObjectives.For(DrillScenario.ApplicationRollback, configuration);
        Assert.Equal(TimeSpan.FromMinutes(15), rollback.Rto);
        Assert.Equal(TimeSpan.Zero, rollback.Rpo);
        Assert.Equal("drills.objectives.ApplicationRollback in the configuration", rollback.Source);

        var given = rollback.With(TimeSpan.FromMinutes(5), null);
        Assert.Equal(TimeSpan.FromMinutes(5), given.Rto);
        Assert.Equal(TimeSpan.Zero, given.Rpo);
    }
}
