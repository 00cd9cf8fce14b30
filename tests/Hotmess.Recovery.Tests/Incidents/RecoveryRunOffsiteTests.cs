using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support.Emulators;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Incidents;

/// <summary>
/// A recovery run whose record is copied to an offsite repository at every save, and continued from that copy when the
/// machine that ran it is gone. Run against every kind of store by the subclasses.
/// </summary>
public abstract class RecoveryRunOffsiteTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 3, 0, 0, TimeSpan.Zero);
    private static readonly Secret Passphrase = new("correct horse battery staple");
    private readonly string _local = Path.Combine(Path.GetTempPath(), "hotmess-run-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly FakeTimeProvider _clock = new(Start);
    private bool _initialized;

    /// <summary>A new, empty store; each call in one test opens the same one.</summary>
    protected abstract IObjectStore OpenStore();

    public virtual void Dispose()
    {
        if (Directory.Exists(_local))
        {
            Directory.Delete(_local, recursive: true);
        }
    }

    [Fact]
    public void Every_save_of_the_run_is_copied_to_the_offsite_repository()
    {
        var id = NewIncident();
        using var run = RecoveryRun.Open(Store(), id, offsite: Offsite());
        run.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true);
        run.Succeed(RecoveryPhase.Infrastructure, "Restore the database", "set 20261130T020000Z-database-ab12");
        run.Begin(RecoveryPhase.Application, "Deploy production", destructive: true);

        var kept = FindOffsite(id);

        Assert.NotNull(kept);
        Assert.Equal(
            [("Infrastructure: Restore the database", IncidentStepStatus.Succeeded), ("Application: Deploy production", IncidentStepStatus.Running)],
            kept.Steps.Select(s => (s.Name, s.Status)));
        Assert.Empty(run.TakeWarnings());
    }

    [Fact]
    public void A_run_whose_local_record_is_gone_continues_from_the_offsite_copy_without_repeating_what_completed_or_a_destructive_step()
    {
        var id = NewIncident();
        using (var first = RecoveryRun.Open(Store(), id, offsite: Offsite()))
        {
            first.Begin(RecoveryPhase.Infrastructure, "Create the Supabase project", destructive: true);
            first.Succeed(RecoveryPhase.Infrastructure, "Create the Supabase project", "abcdefghijklmnopqrst");
            first.SetFact("ProjectRef", "abcdefghijklmnopqrst");
            first.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true);
            // The machine dies here, with the restore running.
        }

        Directory.Delete(Path.Combine(_local, "incidents"), recursive: true);
        using var second = RecoveryRun.Open(Store(), id, offsite: Offsite());

        Assert.True(second.ResumedFromOffsite);
        Assert.False(second.Begin(RecoveryPhase.Infrastructure, "Create the Supabase project", destructive: true));
        Assert.Equal("abcdefghijklmnopqrst", second.Fact("ProjectRef"));
        var refused = Assert.Throws<HotmessException>(() => second.Begin(RecoveryPhase.Infrastructure, "Restore the database", destructive: true));
        Assert.Equal("RecoveryStepNotRepeatable", refused.ErrorId);
        var local = Store().Get(id);
        Assert.Contains(local.Notes, n => n.Text.Contains("continued from its offsite copy", StringComparison.Ordinal) && n.Text.Contains(second.OffsiteRepository!, StringComparison.Ordinal));
        Assert.Contains(FindOffsite(id)!.Notes, n => n.Text.Contains("continued from its offsite copy", StringComparison.Ordinal));
    }

    [Fact]
    public void A_failed_offsite_copy_does_not_stop_the_run_is_noted_once_and_is_tried_again_at_the_next_save_after_the_retry_interval()
    {
        var id = NewIncident();
        var store = new SwitchableStore(OpenStore()) { Down = true };
        using var run = RecoveryRun.Open(Store(), id, offsite: Offsite(store));

        run.Begin(RecoveryPhase.Assess, "Check the providers");
        run.Succeed(RecoveryPhase.Assess, "Check the providers", "all operational");

        var warning = Assert.Single(run.TakeWarnings());
        Assert.Contains("Connection refused", warning, StringComparison.Ordinal);
        Assert.Contains("could not be copied offsite", Assert.Single(Store().Get(id).Notes).Text, StringComparison.Ordinal);
        Assert.Equal(IncidentStepStatus.Succeeded, Store().Get(id).Steps.Single().Status);

        store.Down = false;
        _clock.Advance(RecoveryRun.OffsiteRetryInterval);
        run.Begin(RecoveryPhase.Assess, "Find the newest backups");

        Assert.Empty(run.TakeWarnings());
        var kept = FindOffsite(id);
        Assert.NotNull(kept);
        Assert.Equal(["Assess: Check the providers", "Assess: Find the newest backups"], kept.Steps.Select(s => s.Name));
        Assert.Equal(2, kept.Notes.Count);
        Assert.Contains("copied offsite", kept.Notes[1].Text, StringComparison.Ordinal);
        Assert.Contains("again", kept.Notes[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void While_the_offsite_store_stays_down_saves_within_the_retry_interval_do_not_try_it_again()
    {
        var id = NewIncident();
        var store = new SwitchableStore(OpenStore()) { Down = true };
        using var run = RecoveryRun.Open(Store(), id, offsite: Offsite(store));
        var firstAttempt = store.RefusedCalls;

        run.Begin(RecoveryPhase.Assess, "Check the providers");
        run.Succeed(RecoveryPhase.Assess, "Check the providers");
        _clock.Advance(RecoveryRun.OffsiteRetryInterval - TimeSpan.FromSeconds(1));
        run.Begin(RecoveryPhase.Assess, "Find the newest backups");
        var withinInterval = store.RefusedCalls;
        _clock.Advance(TimeSpan.FromSeconds(1));
        run.Succeed(RecoveryPhase.Assess, "Find the newest backups");

        Assert.True(firstAttempt > 0);
        Assert.Equal(firstAttempt, withinInterval);
        Assert.True(store.RefusedCalls > withinInterval);
        Assert.Single(run.TakeWarnings());
        Assert.Single(Store().Get(id).Notes);
        Assert.Equal(IncidentStepStatus.Succeeded, Store().Get(id).Steps.Last().Status);
    }

    [Fact]
    public void An_offsite_store_that_hangs_fails_the_copy_after_its_timeout_and_the_run_goes_on()
    {
        var id = NewIncident();
        EnsureRepository();
        var store = new SwitchableStore(OpenStore()) { Hangs = true };
        using var offsite = new OffsiteIncidentCopy(store.Location, (initialize, token) => ObjectRepository.OpenAsync(store, Passphrase, token), _clock, TimeSpan.FromMilliseconds(300));

        using var run = RecoveryRun.Open(Store(), id, offsite: offsite);
        run.Begin(RecoveryPhase.Assess, "Check the providers");

        Assert.Contains("did not answer within", Assert.Single(run.TakeWarnings()), StringComparison.Ordinal);
        Assert.Equal(IncidentStepStatus.Running, Store().Get(id).Steps.Single().Status);
    }

    [Fact]
    public void An_incident_neither_here_nor_offsite_is_not_found_naming_both()
    {
        var offsite = Offsite();
        offsite.Save(new IncidentRecord("other-recovery", "Procedure 4: Complete Platform Recovery", null, null, _clock));

        var ex = Assert.Throws<HotmessException>(() => RecoveryRun.Open(Store(), "20261201T030000Z-platform-recovery", offsite: offsite));

        Assert.Equal("IncidentNotFound", ex.ErrorId);
        Assert.Contains("offsite repository", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_record_missing_while_the_offsite_store_is_unreachable_stops_the_run_saying_why()
    {
        var id = NewIncident();
        using (RecoveryRun.Open(Store(), id, offsite: Offsite()))
        {
        }

        Directory.Delete(Path.Combine(_local, "incidents"), recursive: true);
        var store = new SwitchableStore(OpenStore()) { Down = true };

        var ex = Assert.Throws<HotmessException>(() => RecoveryRun.Open(Store(), id, offsite: Offsite(store)));

        Assert.Equal("IncidentNotFound", ex.ErrorId);
        Assert.Contains("could not be read", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_plan_of_a_resume_reads_the_offsite_copy_and_writes_nothing()
    {
        var id = NewIncident();
        using (var first = RecoveryRun.Open(Store(), id, offsite: Offsite()))
        {
            first.Begin(RecoveryPhase.Assess, "Check the providers");
            first.Succeed(RecoveryPhase.Assess, "Check the providers");
        }

        Directory.Delete(Path.Combine(_local, "incidents"), recursive: true);

        var plan = RecoveryRun.Plan(Store(), id, offsite: Offsite());

        Assert.True(plan.ResumedFromOffsite);
        Assert.False(plan.IsSaved);
        Assert.True(plan.IsCompleted(RecoveryPhase.Assess, "Check the providers"));
        Assert.False(Directory.Exists(Path.Combine(_local, "incidents")));
    }

    private IncidentStore Store() => new(_local, _clock);

    private string NewIncident()
    {
        var record = new IncidentRecord("platform-recovery", "Procedure 4: Complete Platform Recovery", "Everything is gone", "ops", _clock);
        Store().Save(record);
        return record.Id;
    }

    private OffsiteIncidentCopy Offsite(IObjectStore? store = null)
    {
        EnsureRepository();
        var opened = store ?? OpenStore();
        return new OffsiteIncidentCopy(opened.Location, (initialize, token) => initialize
            ? ObjectRepository.OpenOrInitializeAsync(opened, Passphrase, NullOperationLog.Instance, token)
            : ObjectRepository.OpenAsync(opened, Passphrase, token), _clock);
    }

    private void EnsureRepository()
    {
        if (!_initialized)
        {
            // The repository made with the cheapest key derivation: every copy opens it again, as each run does.
            var first = OpenStore();
            try
            {
                EncryptedRepositoryDescriptor.CreateAsync(first, Passphrase, _clock, KdfParameters.Minimum, default).GetAwaiter().GetResult().Dispose();
            }
            finally
            {
                first.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            _initialized = true;
        }
    }

    private IncidentRecord? FindOffsite(string id)
    {
        using var offsite = Offsite();
        return offsite.Find(id);
    }
}

/// <summary>The offsite copy in an encrypted local folder.</summary>
public sealed class LocalFolderRecoveryRunOffsiteTests : RecoveryRunOffsiteTests
{
    private readonly string _storeRoot = Path.Combine(Path.GetTempPath(), "hotmess-offsite-" + Guid.NewGuid().ToString("N")[..8]);

    protected override IObjectStore OpenStore() => new LocalDirectoryStore(_storeRoot);

    public override void Dispose()
    {
        base.Dispose();
        if (Directory.Exists(_storeRoot))
        {
            Directory.Delete(_storeRoot, recursive: true);
        }
    }
}

/// <summary>The offsite copy in an Azure Blob container, on Azurite.</summary>
public sealed class AzuriteRecoveryRunOffsiteTests(AzuriteFixture azurite) : RecoveryRunOffsiteTests, IClassFixture<AzuriteFixture>
{
    private readonly string _location = $"az://incidents/t-{Guid.NewGuid():N}";

    protected override IObjectStore OpenStore() => azurite.OpenStore(_location);
}

/// <summary>The offsite copy in an S3 bucket, on s3rver.</summary>
public sealed class S3rverRecoveryRunOffsiteTests(S3rverFixture s3rver) : RecoveryRunOffsiteTests, IClassFixture<S3rverFixture>
{
    private readonly string _location = $"s3://incidents/t-{Guid.NewGuid():N}";

    protected override IObjectStore OpenStore() => s3rver.OpenStore(_location);
}
