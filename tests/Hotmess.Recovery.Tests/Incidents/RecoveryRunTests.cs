using Hotmess.Recovery.Common;
using Hotmess.Recovery.Incidents;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Incidents;

public sealed class RecoveryRunTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "hotmess-run-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly FakeTimeProvider _clock = new(Start);

    public void Dispose()
    {
        if (Directory.Exists(_repository))
        {
            Directory.Delete(_repository, recursive: true);
        }
    }

    private IncidentStore Store() => new(_repository, _clock);

    private string NewIncident()
    {
        var record = new IncidentRecord("platform-recovery", "Procedure 4: Complete Platform Recovery", "Everything is gone", "ops", _clock);
        Store().Save(record);
        return record.Id;
    }

    [Fact]
    public void A_step_is_saved_as_running_the_moment_it_starts_and_with_its_duration_when_it_ends()
    {
        var id = NewIncident();
        var run = RecoveryRun.Open(Store(), id);

        Assert.True(run.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true));
        var whileRunning = Store().Get(id).Steps.Single();
        _clock.Advance(TimeSpan.FromMinutes(7));
        run.Succeed(RecoveryPhase.Infrastructure, "Restore the database", "set 20261130T020000Z-database-ab12");

        Assert.Equal("Infrastructure: Restore the database", whileRunning.Name);
        Assert.Equal(IncidentStepStatus.Running, whileRunning.Status);
        var kept = Store().Get(id).Steps.Single();
        Assert.Equal(IncidentStepStatus.Succeeded, kept.Status);
        Assert.Equal(TimeSpan.FromMinutes(7), kept.Duration);
        Assert.Equal("set 20261130T020000Z-database-ab12", kept.Detail);
    }

    [Fact]
    public void A_rerun_of_the_same_incident_skips_the_steps_that_completed_and_runs_the_one_that_failed()
    {
        var id = NewIncident();
        var first = RecoveryRun.Open(Store(), id);
        first.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true);
        first.Succeed(RecoveryPhase.Infrastructure, "Restore the database");
        first.Begin(RecoveryPhase.Infrastructure, "Apply the migrations");
        first.Fail(RecoveryPhase.Infrastructure, "Apply the migrations", "syntax error at or near \"TABEL\"", "MigrationFailed");
        first.Close("Failed", "MigrationFailed", "syntax error");

        var second = RecoveryRun.Open(Store(), id);

        Assert.True(second.Record.IsOpen);
        Assert.Contains(second.Record.Notes, n => n.Text.Contains("Resumed after it ended Failed (MigrationFailed)", StringComparison.Ordinal));
        Assert.False(second.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true));
        Assert.True(second.Begin(RecoveryPhase.Infrastructure, "Apply the migrations"));
        Assert.Single(Store().Get(id).Steps, s => s.Name == "Infrastructure: Restore the database");
    }

    [Fact]
    public void A_destructive_step_that_started_and_never_ended_stops_the_rerun_unless_it_is_safe_to_redo()
    {
        var id = NewIncident();
        RecoveryRun.Open(Store(), id).Begin(RecoveryPhase.Infrastructure, "Create the Supabase project", destructive: true);

        var rerun = RecoveryRun.Open(Store(), id);
        var refused = Assert.Throws<HotmessException>(() => rerun.Begin(RecoveryPhase.Infrastructure, "Create the Supabase project", destructive: true));

        Assert.Equal("RecoveryStepNotRepeatable", refused.ErrorId);
        Assert.Equal("Infrastructure: Create the Supabase project", refused.Target);
        Assert.Contains("never ended", refused.Message, StringComparison.Ordinal);
        Assert.True(rerun.Begin(RecoveryPhase.Infrastructure, "Create the Supabase project", destructive: true, safeToRedo: true));
    }

    [Fact]
    public void A_destructive_step_that_failed_is_not_repeated_but_a_harmless_one_is()
    {
        var id = NewIncident();
        var first = RecoveryRun.Open(Store(), id);
        first.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true);
        first.Fail(RecoveryPhase.Infrastructure, "Restore the database", "pg_restore exited 1", "RestoreFailed");
        first.Begin(RecoveryPhase.Verify, "Test the user flows");
        first.Fail(RecoveryPhase.Verify, "Test the user flows", "home page 500", "UserFlowFailed");

        var rerun = RecoveryRun.Open(Store(), id);

        var refused = Assert.Throws<HotmessException>(() => rerun.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true));
        Assert.Contains("failed (RestoreFailed)", refused.Message, StringComparison.Ordinal);
        Assert.True(rerun.Begin(RecoveryPhase.Verify, "Test the user flows"));
    }

    [Fact]
    public void From_and_only_select_the_phases_in_the_procedures_order()
    {
        var id = NewIncident();

        Assert.Equal(Enum.GetValues<RecoveryPhase>(), RecoveryRun.Open(Store(), id).Phases);
        Assert.Equal([RecoveryPhase.Verify, RecoveryPhase.Communicate], RecoveryRun.Open(Store(), id, from: RecoveryPhase.Verify).Phases);
        Assert.Equal([RecoveryPhase.Application], RecoveryRun.Open(Store(), id, only: RecoveryPhase.Application).Phases);
        var both = Assert.Throws<HotmessException>(() => RecoveryRun.Open(Store(), id, RecoveryPhase.Assess, RecoveryPhase.Verify));
        Assert.Equal("RecoveryPhaseSelectionInvalid", both.ErrorId);
    }

    [Fact]
    public void A_recovered_incident_is_not_run_again()
    {
        var id = NewIncident();
        RecoveryRun.Open(Store(), id).Close(RecoveryRun.RecoveredOutcome);

        var refused = Assert.Throws<HotmessException>(() => RecoveryRun.Open(Store(), id));

        Assert.Equal("RecoveryAlreadyComplete", refused.ErrorId);
    }

    [Fact]
    public void Changes_other_commands_saved_in_between_are_kept()
    {
        var id = NewIncident();
        var run = RecoveryRun.Open(Store(), id);
        run.Begin(RecoveryPhase.Assess, "Open the status page incident");
        var other = Store().Get(id);
        other.StatusPageIncidentId = "sp_incident_1";
        other.AddNote("Stakeholders told");
        Store().Save(other);

        run.Succeed(RecoveryPhase.Assess, "Open the status page incident");
        run.SetFact("ProjectRef", "newref0001");

        var kept = Store().Get(id);
        Assert.Equal("sp_incident_1", kept.StatusPageIncidentId);
        Assert.Contains(kept.Notes, n => n.Text == "Stakeholders told");
        Assert.Equal("newref0001", kept.Facts["ProjectRef"]);
        Assert.Equal(IncidentStepStatus.Succeeded, kept.Steps.Single().Status);
    }

    [Fact]
    public void An_unsaved_run_writes_nothing()
    {
        var record = new IncidentRecord("platform-recovery", "Procedure 4: Complete Platform Recovery", null, null, _clock);
        var run = RecoveryRun.Unsaved(record);

        run.Begin(RecoveryPhase.Infrastructure, "Create the Supabase project", destructive: true);
        run.Skip(RecoveryPhase.Infrastructure, "Create the Supabase project", "WhatIf: would create hotmess-recovered in eu-west-2");
        run.Close("WhatIf");

        Assert.False(run.IsSaved);
        Assert.False(Directory.Exists(_repository));
        Assert.Equal(IncidentStepStatus.Skipped, run.Record.Steps.Single().Status);
        Assert.Equal("WhatIf", run.Record.Outcome);
    }
}
