using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Database;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>The real pg_dump staged into an encrypted local repository.</summary>
[Collection(SampleDatabaseCollection.Name)]
public sealed class StagedDatabaseBackupTests(SampleDatabaseFixture fixture)
{
    [Fact]
    public async Task A_database_backup_staged_into_an_encrypted_folder_keeps_its_dump_and_evidence()
    {
        var root = fixture.NewFolder("encrypted");
        var log = new CollectingLog();
        await using var repository = await ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(root), LocalSets.Passphrase, log, default);

        var result = await StagedBackupEngine.BackupAsync(Request(root), log, default);

        var listed = Assert.Single(await repository.GetSetsAsync(BackupKind.Database, log, default));
        Assert.Equal(result.Set.Id, listed.Id);
        Assert.Contains(listed.Manifest.Files, f => f.Path == "dump/toc.dat");
        Assert.Contains(listed.Manifest.Database!.Tables, t => t.QualifiedName == "auth.users" && t.RowCount > 0);
        using var fetched = await ObjectRepositoryFetcher.FetchAsync(new FetchRequest { Set = listed, Source = repository, CacheParent = fixture.WorkFolder }, log, default);
        Assert.Empty(fetched.Failures);
        Assert.Empty(Directory.EnumerateFileSystemEntries(StagedBackupEngine.StagingRoot(root)));
        Assert.DoesNotContain(log.Verbose.Concat(log.Warnings), m => m.Contains(fixture.Server.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cancelling_while_pg_dump_writes_removes_the_staging_and_leaves_no_set()
    {
        var root = fixture.NewFolder("encrypted");
        using var cancellation = new CancellationTokenSource();
        var log = new CancellingLog("pg_dump: ", cancellation);
        await using var repository = await ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(root), LocalSets.Passphrase, log, default);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => StagedBackupEngine.BackupAsync(Request(root), log, cancellation.Token));

        Assert.True(log.Cancelled, "pg_dump was writing when the backup was cancelled");
        Assert.Empty(await repository.GetSetsAsync(null, log, default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(StagedBackupEngine.StagingRoot(root)));
    }

    private StagedBackupRequest Request(string root) => new()
    {
        OpenDestination = _ => ObjectRepository.OpenAsync(new LocalDirectoryStore(root), LocalSets.Passphrase, default),
        StagingParent = root,
        Backup = (staging, log, token) => DatabaseBackupEngine.BackupAsync(
            new DatabaseBackupRequest { ConnectionString = fixture.SourceConnectionString, Repository = staging, CriticalTables = ["User"] }, log, token),
    };

    /// <summary>Cancels the run at the first message that starts with <paramref name="prefix"/>.</summary>
    private sealed class CancellingLog(string prefix, CancellationTokenSource cancellation) : IOperationLog
    {
        public bool Cancelled { get; private set; }

        public void Verbose(string message)
        {
            if (!Cancelled && message.StartsWith(prefix, StringComparison.Ordinal))
            {
                Cancelled = true;
                cancellation.Cancel();
            }
        }

        public void Warning(string message)
        {
        }

        public void Progress(OperationProgress progress)
        {
        }
    }
}
