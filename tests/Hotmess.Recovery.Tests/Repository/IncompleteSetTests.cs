using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Database;
using Hotmess.Recovery.Tests.Environments;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Repository;

/// <summary>What a killed run leaves: a set folder that never got its manifest.</summary>
[Collection(SampleDatabaseCollection.Name)]
public sealed class IncompleteSetTests(SampleDatabaseFixture fixture)
{
    private static readonly EnvironmentKey Key = EnvironmentKey.FromBase64(new Secret(EnvironmentKey.NewKeyText()), "test key");

    private static MemoryStore Store() => new([new StoredVariable("RESEND_API_KEY", new Secret("re_test_1"), "encrypted", ["production"])]);

    private static PendingBackupSet KilledRun(BackupRepository repository, BackupKind kind)
    {
        var pending = repository.BeginSet(kind, DateTimeOffset.UtcNow.AddHours(-1));
        Directory.CreateDirectory(Path.Combine(pending.Path, "dump"));
        File.WriteAllText(Path.Combine(pending.Path, "dump", "toc.dat"), "half written");
        return pending;
    }

    [Fact]
    public async Task An_incomplete_database_set_left_by_a_killed_run_is_removed_by_the_next_database_backup()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        var killed = KilledRun(repository, BackupKind.Database);
        var otherKind = KilledRun(repository, BackupKind.Storage);
        var log = new CollectingLog();

        var set = await DatabaseBackupEngine.BackupAsync(
            new DatabaseBackupRequest { ConnectionString = fixture.SourceConnectionString, Repository = repository.Root }, log, CancellationToken.None);

        Assert.False(Directory.Exists(killed.Path));
        Assert.Contains(log.Verbose, m => m.Contains(killed.Id, StringComparison.Ordinal) && m.Contains("incomplete", StringComparison.Ordinal));
        Assert.True(Directory.Exists(otherKind.Path), "a storage run may still be writing it");
        Assert.Equal([set.Id], repository.GetSets().Select(s => s.Id));
    }

    [Fact]
    public async Task An_incomplete_environment_set_left_by_a_killed_run_is_removed_by_the_next_environment_backup()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        var killed = KilledRun(repository, BackupKind.Environment);
        var otherKind = KilledRun(repository, BackupKind.Database);
        var log = new CollectingLog();

        await EnvironmentBackupEngine.BackupAsync(repository, Store(), Key, log, CancellationToken.None);

        Assert.False(Directory.Exists(killed.Path));
        Assert.Contains(log.Verbose, m => m.Contains(killed.Id, StringComparison.Ordinal));
        Assert.True(Directory.Exists(otherKind.Path), "a database run may still be writing it");
    }

    [Fact]
    public async Task A_set_being_written_by_a_concurrent_run_of_its_kind_is_never_touched()
    {
        var repository = BackupRepository.OpenOrCreate(fixture.NewFolder());
        using var concurrentRun = repository.Lock(BackupKind.Environment);
        var beingWritten = KilledRun(repository, BackupKind.Environment);

        var refused = await Assert.ThrowsAsync<HotmessException>(() => EnvironmentBackupEngine.BackupAsync(repository, Store(), Key, new CollectingLog(), CancellationToken.None));
        using (repository.Lock(BackupKind.Database, new CollectingLog()))
        {
        }

        Assert.Equal("RepositoryLocked", refused.ErrorId);
        Assert.True(File.Exists(Path.Combine(beingWritten.Path, "dump", "toc.dat")));
    }
}
