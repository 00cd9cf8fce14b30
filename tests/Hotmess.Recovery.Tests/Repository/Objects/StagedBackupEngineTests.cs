using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>A backup staged in a private folder of an encrypted local repository, encrypted in, and the staging removed whatever happens.</summary>
public sealed class StagedBackupEngineTests : IAsyncLifetime
{
    private const UnixFileMode PrivateFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotmess-staged-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "hotmess-staged-cache-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly CollectingLog _log = new();

    private string StagingRoot => StagedBackupEngine.StagingRoot(_root);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_cache);
        await using var created = await ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(_root), LocalSets.Passphrase, _log, default);
    }

    public Task DisposeAsync()
    {
        foreach (var folder in new[] { _root, _cache })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_staged_backup_is_listed_in_the_encrypted_repository_and_fetched_back_byte_for_byte()
    {
        var payload = new Dictionary<string, byte[]>();
        var result = await BackupAsync(async (staging, _, _) =>
        {
            var set = await LocalSets.DatabaseSetAsync(BackupRepository.OpenOrCreate(staging), Start);
            foreach (var file in set.Manifest.Files)
            {
                payload[file.Path] = await File.ReadAllBytesAsync(Path.Combine(set.Path, file.Path));
            }

            return set;
        });

        await using var repository = await OpenAsync();
        var listed = Assert.Single(await repository.GetSetsAsync(null, _log, default));
        Assert.Equal((result.Set.Id, repository.Location), (listed.Id, listed.Repository));
        Assert.False(result.SetAlreadyThere);
        using var fetched = await ObjectRepositoryFetcher.FetchAsync(new FetchRequest { Set = listed, Source = repository, CacheParent = _cache }, _log, default);
        Assert.Empty(fetched.Failures);
        Assert.All(payload, p => Assert.Equal(p.Value, File.ReadAllBytes(Path.Combine(fetched.Set.Path, p.Key))));
        Assert.Empty(Directory.EnumerateFileSystemEntries(StagingRoot));
    }

    [Fact]
    public async Task The_encrypted_folder_holds_no_plaintext_file_of_the_set_afterwards()
    {
        var marker = "plaintext-marker-" + Guid.NewGuid().ToString("N");
        await BackupAsync(async (staging, _, _) =>
        {
            var repository = BackupRepository.OpenOrCreate(staging);
            var pending = repository.BeginSet(BackupKind.Database, Start);
            Directory.CreateDirectory(Path.Combine(pending.Path, "dump"));
            await File.WriteAllTextAsync(Path.Combine(pending.Path, "dump", "toc.dat"), string.Concat(Enumerable.Repeat(marker, 100)));
            return pending.Complete(new BackupManifest { Files = await pending.HashPayloadAsync(1, default), Source = new BackupSource { Database = marker } });
        });

        var files = Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        Assert.All(files, f => Assert.DoesNotContain(marker, File.ReadAllText(f), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_staging_is_private_to_its_owner_and_inside_the_encrypted_folder()
    {
        string? seen = null;
        UnixFileMode? mode = null;
        await BackupAsync(async (staging, _, _) =>
        {
            seen = staging;
            mode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(staging);
            return await LocalSets.DatabaseSetAsync(BackupRepository.OpenOrCreate(staging), Start);
        });

        Assert.StartsWith(StagingRoot + Path.DirectorySeparatorChar, seen, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(PrivateFolder, mode);
            Assert.Equal(PrivateFolder, File.GetUnixFileMode(StagingRoot));
        }

        Assert.False(Directory.Exists(seen));
    }

    [Fact]
    public async Task A_failed_backup_leaves_no_set_and_no_staging()
    {
        var failure = await Assert.ThrowsAsync<HotmessException>(() => BackupAsync(async (staging, _, _) =>
        {
            var pending = BackupRepository.OpenOrCreate(staging).BeginSet(BackupKind.Database, Start);
            await File.WriteAllTextAsync(Path.Combine(pending.Path, "half.dat"), "half written");
            throw new HotmessException("PgDumpFailed", FailureKind.ExternalToolFailed, "pg_dump failed with exit code 1", null);
        }));

        Assert.Equal("PgDumpFailed", failure.ErrorId);
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_cancelled_backup_removes_its_staging()
    {
        using var cancellation = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => BackupAsync(async (staging, _, token) =>
        {
            var pending = BackupRepository.OpenOrCreate(staging).BeginSet(BackupKind.Database, Start);
            await File.WriteAllTextAsync(Path.Combine(pending.Path, "half.dat"), "half written", token);
            await cancellation.CancelAsync();
            token.ThrowIfCancellationRequested();
            return null!;
        }, cancellation.Token));

        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_failure_while_encrypting_into_the_repository_leaves_no_set_and_no_staging()
    {
        await Assert.ThrowsAnyAsync<IOException>(() => StagedBackupEngine.BackupAsync(new StagedBackupRequest
        {
            OpenDestination = token => ObjectRepository.OpenAsync(new FailingStore(new LocalDirectoryStore(_root), failAfterPuts: 1), LocalSets.Passphrase, token),
            StagingParent = _root,
            Parallelism = 1,
            Backup = (staging, _, _) => LocalSets.DatabaseSetAsync(BackupRepository.OpenOrCreate(staging), Start),
        }, _log, default));

        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_repository_that_does_not_open_stops_the_backup_and_its_failure_is_the_one_reported()
    {
        var stopped = false;
        var failure = await Assert.ThrowsAsync<HotmessException>(() => StagedBackupEngine.BackupAsync(new StagedBackupRequest
        {
            OpenDestination = async token =>
            {
                await Task.Delay(100, token);
                throw new HotmessException("RepositoryKeyWrong", FailureKind.AuthenticationFailed, $"The passphrase does not open '{_root}'.", _root);
            },
            StagingParent = _root,
            Backup = async (staging, _, token) =>
            {
                var pending = BackupRepository.OpenOrCreate(staging).BeginSet(BackupKind.Database, Start);
                await File.WriteAllTextAsync(Path.Combine(pending.Path, "half.dat"), "half written", token);
                try
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
                finally
                {
                    stopped = token.IsCancellationRequested;
                }

                return null!;
            },
        }, _log, default));

        Assert.Equal("RepositoryKeyWrong", failure.ErrorId);
        Assert.True(stopped, "the backup is stopped when the repository does not open");
        await AssertNothingLeftAsync();
    }

    [Fact]
    public async Task A_staging_left_by_a_killed_run_is_removed_and_one_a_live_run_holds_is_kept()
    {
        var dead = Path.Combine(StagingRoot, "dead");
        var live = Path.Combine(StagingRoot, "live");
        foreach (var folder in new[] { dead, live })
        {
            Directory.CreateDirectory(Path.Combine(folder, "sets"));
            await File.WriteAllTextAsync(Path.Combine(folder, "sets", "toc.dat"), "written by a run");
        }

        await File.WriteAllTextAsync(dead + ".lock", "");
        await using (new FileStream(live + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None))
        {
            await BackupAsync((staging, _, _) => LocalSets.DatabaseSetAsync(BackupRepository.OpenOrCreate(staging), Start));

            Assert.False(Directory.Exists(dead));
            Assert.False(File.Exists(dead + ".lock"));
            Assert.True(File.Exists(Path.Combine(live, "sets", "toc.dat")), "a live run is still writing it");
            Assert.Contains(_log.Verbose, m => m.Contains(dead, StringComparison.Ordinal));
        }
    }

    private async Task AssertNothingLeftAsync()
    {
        await using var repository = await OpenAsync();
        Assert.Empty(await repository.GetSetsAsync(null, _log, default));
        Assert.Empty(Directory.EnumerateFileSystemEntries(StagingRoot));
    }

    private Task<ObjectRepository> OpenAsync() => ObjectRepository.OpenAsync(new LocalDirectoryStore(_root), LocalSets.Passphrase, default);

    private Task<BackupCopyResult> BackupAsync(Func<string, IOperationLog, CancellationToken, Task<BackupSet>> backup, CancellationToken cancellationToken = default)
    {
        return StagedBackupEngine.BackupAsync(new StagedBackupRequest { OpenDestination = _ => OpenAsync(), StagingParent = _root, Backup = backup }, _log, cancellationToken);
    }
}
