using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Tests.Database;

[Collection(SampleDatabaseCollection.Name)]
public sealed class DatabaseRestoreAndVerifyTests(SampleDatabaseFixture fixture) : IAsyncLifetime
{
    private BackupSet _set = null!;

    public async Task InitializeAsync() =>
        _set = await fixture.BackUpSampleAsync(["User", "Beacon", "message", "marketplace_order", "support_tickets", "gdpr_consents"]);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Restore_creates_the_missing_database_and_matches_every_row_count()
    {
        var target = fixture.ScratchConnectionString();
        var result = await DatabaseRestoreEngine.RestoreAsync(new DatabaseRestoreRequest { Set = _set, TargetConnectionString = target }, NullOperationLog.Instance, default);

        Assert.True(result.DatabaseCreated);
        Assert.True(result.RowCountsMatch, string.Join(", ", result.Comparison.Where(c => !c.Matches)));
        Assert.Equal(_set.Manifest.Database!.Tables.Count, result.TableCount);
        Assert.True(result.RowCount > 0);
        var policies = fixture.Server.ExecuteSql(result.Database, "SELECT count(*) FROM pg_policies WHERE schemaname = 'public'").Trim();
        Assert.NotEqual("0", policies);
    }

    [Fact]
    public async Task Restore_refuses_a_database_that_holds_tables_unless_forced()
    {
        var target = fixture.ScratchConnectionString();
        var request = new DatabaseRestoreRequest { Set = _set, TargetConnectionString = target };
        var first = await DatabaseRestoreEngine.RestoreAsync(request, NullOperationLog.Instance, default);
        fixture.Server.ExecuteSql(first.Database, "DELETE FROM public.gdpr_consents");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseRestoreEngine.RestoreAsync(request, NullOperationLog.Instance, default));
        Assert.Equal("TargetNotEmpty", ex.ErrorId);
        Assert.Equal(FailureKind.AlreadyExists, ex.Kind);
        Assert.Equal("0", fixture.Server.ExecuteSql(first.Database, "SELECT count(*) FROM public.gdpr_consents").Trim());

        var forced = await DatabaseRestoreEngine.RestoreAsync(request with { Force = true }, NullOperationLog.Instance, default);
        Assert.True(forced.RowCountsMatch, string.Join(", ", forced.Comparison.Where(c => !c.Matches)));
        Assert.False(forced.DatabaseCreated);
    }

    [Fact]
    public async Task Verification_with_a_restore_passes_and_drops_the_scratch_database()
    {
        var scratch = fixture.ScratchConnectionString();
        var name = new Npgsql.NpgsqlConnectionStringBuilder(scratch).Database!;
        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = _set, RestoreTo = scratch }, NullOperationLog.Instance, default);

        Assert.True(verification.Passed, string.Join("\n", verification.Checks.Where(c => !c.Passed)));
        Assert.True(verification.Restored);
        Assert.Equal(6, verification.Checks.Count(c => c.Name.StartsWith("Fingerprint ", StringComparison.Ordinal)));
        Assert.Contains(verification.Checks, c => c.Name == "Row count public.User" && c.Passed);
        Assert.Contains(verification.Checks, c => c.Category == "Recency" && c.Name.Contains("marketplace_order", StringComparison.Ordinal));
        Assert.Equal("0", fixture.Server.ExecuteSql("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{name}'").Trim());
    }

    [Fact]
    public async Task A_corrupted_file_fails_the_verification_naming_the_file_and_skips_the_restore()
    {
        var copy = fixture.CopySet(_set);
        var victim = copy.Manifest.Files.First(f => f.Path.EndsWith(".dat.gz", StringComparison.Ordinal));
        var path = Path.Combine(copy.Path, victim.Path);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        await File.WriteAllBytesAsync(path, bytes);

        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = copy, RestoreTo = fixture.ScratchConnectionString() }, NullOperationLog.Instance, default);

        Assert.False(verification.Passed);
        var failed = Assert.Single(verification.Checks, c => c.Category == "Files" && !c.Passed);
        Assert.Equal($"File {victim.Path}", failed.Name);
        Assert.Contains(verification.Checks, c => c.Name == "Test restore completed" && !c.Passed && c.Actual!.Contains("not attempted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_restore_that_differs_from_the_evidence_fails_the_fingerprint_and_count()
    {
        // The manifest says one more row than the dump holds: exactly what a dump taken outside the snapshot would look like.
        var copy = fixture.CopySet(_set);
        var message = copy.Manifest.Database!.Tables.Single(t => t.Name == "message");
        message.RowCount += 1;
        message.Fingerprint = "r1:00000000000000000000000000000000";

        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = copy, RestoreTo = fixture.ScratchConnectionString() }, NullOperationLog.Instance, default);

        Assert.False(verification.Passed);
        Assert.Equal(["Fingerprint public.message", "Row count public.message"],
            verification.Checks.Where(c => !c.Passed).Select(c => c.Name).Order().ToArray());
    }

    [Fact]
    public async Task An_old_backup_fails_the_recovery_point_objective()
    {
        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest
        {
            Set = _set,
            Now = _set.CompletedUtc.AddHours(25),
        }, NullOperationLog.Instance, default);

        var recency = Assert.Single(verification.Checks, c => c.Name.StartsWith("Backup age", StringComparison.Ordinal));
        Assert.False(recency.Passed);
        Assert.False(verification.Restored);
    }

    [Fact]
    public async Task A_backup_far_smaller_than_the_previous_one_fails_the_size_check()
    {
        var previous = fixture.CopySet(_set);
        previous.Manifest.Files.Add(new PayloadFile("dump/padding", _set.SizeBytes * 3, "00"));

        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = _set, PreviousSet = previous }, NullOperationLog.Instance, default);

        Assert.False(Assert.Single(verification.Checks, c => c.Category == "Size").Passed);
    }

    [Fact]
    public async Task Verification_refuses_a_scratch_database_that_holds_data_and_leaves_it_alone()
    {
        var scratch = fixture.ScratchConnectionString();
        var name = new Npgsql.NpgsqlConnectionStringBuilder(scratch).Database!;
        fixture.Server.CreateDatabase(name);
        fixture.Server.ExecuteSql(name, "CREATE TABLE precious (id int); INSERT INTO precious VALUES (1)");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = _set, RestoreTo = scratch }, NullOperationLog.Instance, default));

        Assert.Equal("TargetNotEmpty", ex.ErrorId);
        Assert.Equal("1", fixture.Server.ExecuteSql(name, "SELECT count(*) FROM precious").Trim());
    }
}
