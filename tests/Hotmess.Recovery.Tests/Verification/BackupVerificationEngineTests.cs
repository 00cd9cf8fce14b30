using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Database;
using Hotmess.Recovery.Tests.Environments;
using Hotmess.Recovery.Verification;

namespace Hotmess.Recovery.Tests.Verification;

[Collection(SampleDatabaseCollection.Name)]
public sealed class BackupVerificationEngineTests(SampleDatabaseFixture fixture)
{
    [Fact]
    public async Task A_database_set_is_verified_against_the_set_before_it_and_recorded_beside_it()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        var first = await BackupAsync(repository);
        await Task.Delay(TimeSpan.FromSeconds(1.1)); // set ids sort by the second they start in
        var second = await BackupAsync(repository);
        var manifest = await File.ReadAllTextAsync(Path.Combine(second.Path, BackupRepository.ManifestFileName));

        var verification = await BackupVerificationEngine.VerifyAsync(new BackupVerificationRequest { Repository = repository, Set = second }, NullOperationLog.Instance, default);

        Assert.Equal(first.Id, BackupVerificationEngine.PreviousSet(repository, second)?.Id);
        Assert.Null(BackupVerificationEngine.PreviousSet(repository, first));
        Assert.True(verification.Passed, string.Join("\n", verification.Checks.Where(c => !c.Passed)));
        Assert.Contains(first.Id, Assert.Single(verification.Checks, c => c.Category == "Size").Expected, StringComparison.Ordinal);
        Assert.False(verification.Restored);
        Assert.Equal(Path.Combine(repository.Root, "verifications", second.Id), Path.GetDirectoryName(verification.RecordPath));
        Assert.True(File.Exists(verification.RecordPath));
        Assert.Equal(verification.SetId, Assert.Single(repository.GetVerifications(second.Id)).SetId);
        Assert.Equal(manifest, await File.ReadAllTextAsync(Path.Combine(second.Path, BackupRepository.ManifestFileName)));
    }

    [Fact]
    public async Task A_database_set_with_a_scratch_database_is_restored_compared_and_the_scratch_dropped()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        var set = await BackupAsync(repository);
        var scratch = fixture.ScratchConnectionString();

        var verification = await BackupVerificationEngine.VerifyAsync(new BackupVerificationRequest { Repository = repository, Set = set, RestoreTo = scratch }, NullOperationLog.Instance, default);

        Assert.True(verification.Passed, string.Join("\n", verification.Checks.Where(c => !c.Passed)));
        Assert.True(verification.Restored);
        Assert.Contains(verification.Checks, c => c.Category == "Tables" && c.Name.StartsWith("Row count ", StringComparison.Ordinal));
        Assert.Equal("0", fixture.Server.ExecuteSql("postgres", $"SELECT count(*) FROM pg_database WHERE datname = '{new Npgsql.NpgsqlConnectionStringBuilder(scratch).Database}'").Trim());
    }

    [Fact]
    public async Task Another_kind_of_set_is_verified_file_by_file()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        var set = await EnvironmentSetAsync(repository);
        File.AppendAllText(Path.Combine(set.Path, "environment.bin"), "x");

        var verification = await BackupVerificationEngine.VerifyAsync(new BackupVerificationRequest { Repository = repository, Set = set }, NullOperationLog.Instance, default);

        Assert.False(verification.Passed);
        var check = Assert.Single(verification.Checks);
        Assert.Equal(("File environment.bin", PayloadVerifier.Category, false), (check.Name, check.Category, check.Passed));
        Assert.True(File.Exists(verification.RecordPath));
    }

    [Fact]
    public async Task A_scratch_database_for_a_set_that_is_not_a_database_set_is_refused_before_anything_is_recorded()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        var set = await EnvironmentSetAsync(repository);
        var request = new BackupVerificationRequest { Repository = repository, Set = set, RestoreTo = fixture.ScratchConnectionString() };

        var ex = Assert.Throws<HotmessException>(() => BackupVerificationEngine.Validate(request));
        await Assert.ThrowsAsync<HotmessException>(() => BackupVerificationEngine.VerifyAsync(request, NullOperationLog.Instance, default));

        Assert.Equal("RestoreToNeedsDatabaseSet", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Empty(repository.GetVerifications(set.Id));
    }

    [Fact]
    public async Task A_server_database_as_scratch_is_refused_before_anything_is_read_or_recorded()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        var set = await BackupAsync(repository);

        var ex = Assert.Throws<HotmessException>(() => BackupVerificationEngine.Validate(new BackupVerificationRequest { Repository = repository, Set = set, RestoreTo = fixture.Server.ConnectionString("template1") }));

        Assert.Equal("ScratchDatabaseReserved", ex.ErrorId);
        Assert.Empty(repository.GetVerifications(set.Id));
    }

    private Task<BackupSet> BackupAsync(BackupRepository repository) =>
        DatabaseBackupEngine.BackupAsync(new DatabaseBackupRequest { ConnectionString = fixture.SourceConnectionString, Repository = repository.Root }, NullOperationLog.Instance, default);

    private static Task<BackupSet> EnvironmentSetAsync(BackupRepository repository) =>
        EnvironmentBackupEngine.BackupAsync(repository,
            new MemoryStore([new StoredVariable("VITE_SUPABASE_URL", new Secret("https://abcdefghijklmnopqrst.supabase.co"), "plain", ["production"])]),
            EnvironmentKey.FromBase64(new Secret(EnvironmentKey.NewKeyText()), "test key"), NullOperationLog.Instance, default);
}
