using Hotmess.Recovery.Common;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Database;
using Hotmess.Recovery.Verification;

namespace Hotmess.Recovery.Tests.Drills;

[Collection(SampleDatabaseCollection.Name)]
public sealed class DatabaseRestoreDrillTests(SampleDatabaseFixture fixture)
{
    private static readonly DrillObjectives Plan = new(TimeSpan.FromHours(4), TimeSpan.FromHours(24), "the plan");

    private async Task<(BackupRepository Repository, BackupSet Set)> VerifiedSetAsync()
    {
        var set = await fixture.BackUpSampleAsync(["User", "message"]);
        var repository = BackupRepository.Open(set.Repository);
        var verification = await BackupVerificationEngine.VerifyAsync(new BackupVerificationRequest { Repository = repository, Set = set }, NullOperationLog.Instance, default);
        Assert.True(verification.Passed);
        return (repository, set);
    }

    private bool DatabaseExists(string name) =>
        fixture.Server.ExecuteSql("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{name}'").Trim() == "1";

    [Fact]
    public async Task Restores_the_newest_verified_set_into_a_scratch_database_measures_the_RPO_from_the_restored_data_and_drops_it()
    {
        var (repository, set) = await VerifiedSetAsync();
        // A newer set that nobody verified did not "survive": the drill takes the verified one.
        var unverified = await Task.Run(() => fixture.CopySet(set));
        var scratch = fixture.ScratchConnectionString();

        var record = await DrillEngine.RunAsync(new DatabaseRestoreDrill(repository, scratch, productionConnectionString: null), Plan, repository, NullOperationLog.Instance, default);

        Assert.True(record.Passed, string.Join(" ", record.Findings.Concat(record.Improvements)));
        Assert.Equal(set.Id, record.SurvivingSetId);
        Assert.Equal(
            ["Simulate the failure: the newest verified database set survived", "Restore the set into the scratch database",
             "Verify the restored data against the set's evidence", "Drop the scratch database"],
            record.Steps.Select(s => s.Name));
        Assert.All(record.Steps, s => Assert.True(s.Passed, s.Detail));
        var newest = set.Manifest.Database!.Tables.Max(t => t.NewestTimestamp)!.Value;
        Assert.Equal(newest, record.NewestDataRecoveredUtc);
        Assert.Equal(record.SimulatedIncidentUtc - newest, record.Rpo);
        Assert.Equal(record.ServiceVerifiedUtc - record.SimulatedIncidentUtc, record.Rto);
        Assert.False(DatabaseExists(SampleDatabaseFixture.DatabaseName(scratch)));
        Assert.Equal(record.Id, Assert.Single(DrillEngine.GetDrills(repository)).Id);
        Assert.NotNull(unverified);
    }

    [Fact]
    public async Task Refuses_a_database_the_repository_backs_up_before_anything_is_created()
    {
        var (repository, _) = await VerifiedSetAsync();
        var drill = new DatabaseRestoreDrill(repository, fixture.SourceConnectionString, productionConnectionString: null);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => DrillEngine.RunAsync(drill, Plan, repository, NullOperationLog.Instance, default));

        Assert.Equal("DrillTargetIsProduction", ex.ErrorId);
        Assert.Empty(DrillEngine.GetDrills(repository));
    }

    [Fact]
    public async Task Refuses_the_configured_production_database()
    {
        var (repository, _) = await VerifiedSetAsync();
        var scratch = fixture.ScratchConnectionString();
        var drill = new DatabaseRestoreDrill(repository, scratch, productionConnectionString: scratch);

        var ex = Assert.Throws<HotmessException>(drill.Validate);

        Assert.Equal("DrillTargetIsProduction", ex.ErrorId);
    }

    [Fact]
    public async Task Without_a_verified_set_the_drill_fails_at_its_first_step_and_is_kept_as_evidence()
    {
        var set = await fixture.BackUpSampleAsync();
        var repository = BackupRepository.Open(set.Repository);
        var scratch = fixture.ScratchConnectionString();

        var record = await DrillEngine.RunAsync(new DatabaseRestoreDrill(repository, scratch, null), Plan, repository, NullOperationLog.Instance, default);

        Assert.False(record.Passed);
        Assert.Null(record.Rto);
        Assert.Equal("DrillNoVerifiedSet", Assert.Single(record.Steps).ErrorId);
        Assert.False(DatabaseExists(SampleDatabaseFixture.DatabaseName(scratch)));
        Assert.False(Assert.Single(DrillEngine.GetDrills(repository)).Passed);
    }
}
