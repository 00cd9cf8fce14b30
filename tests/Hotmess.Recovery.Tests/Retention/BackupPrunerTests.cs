using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Retention;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Retention;

public sealed class BackupPrunerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotmess-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_removed_set_vanishes_with_its_folder_and_its_verifications()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var old = Database(repository, Now.AddDays(-3));
        var kept = Database(repository, Now.AddDays(-1));
        Verify(repository, old.Id, passed: true);

        var result = await BackupPruner.RemoveAsync(repository, [old.Id], prune: true, Now, TimeSpan.FromSeconds(5), new CollectingLog(), default);

        Assert.Equal([old.Id], result.RemovedSetIds);
        Assert.Equal([kept.Id], repository.GetSets().Select(s => s.Id).ToArray());
        Assert.False(Directory.Exists(old.Path));
        Assert.False(Directory.Exists(Path.Combine(repository.VerificationsPath, old.Id)));
        Assert.Empty(repository.GetIncompleteSetPaths());
    }

    [Fact]
    public async Task Objects_no_remaining_set_and_no_resumable_journal_refers_to_are_pruned_and_the_rest_stay()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var store = new ContentStore(repository.ObjectsPath);
        var shared = await AddAsync(store, "shared by both sets");
        var onlyOld = await AddAsync(store, "only in the removed set");
        var onlyNew = await AddAsync(store, "only in the kept set");
        var journaled = await AddAsync(store, "fetched by a run that was interrupted");
        var stray = await AddAsync(store, "referred to by nothing");
        var old = Storage(repository, Now.AddDays(-2), shared, onlyOld);
        var kept = Storage(repository, Now.AddDays(-1), shared, onlyNew);
        var journals = Path.Combine(repository.ObjectsPath, "journal");
        Directory.CreateDirectory(journals);
        File.WriteAllText(Path.Combine(journals, "20261201T110000Z-storage-0001.jsonl"),
            Json.Serialize(new StorageObjectEntry { Bucket = "uploads", Key = "resumed.bin", Size = 1, Sha256 = journaled }).ReplaceLineEndings("") + "\n");

        var result = await BackupPruner.RemoveAsync(repository, [old.Id], prune: true, Now, TimeSpan.FromSeconds(5), new CollectingLog(), default);

        Assert.Equal(2, result.ObjectsRemoved);
        Assert.Equal(new[] { shared, onlyNew, journaled }.Order(StringComparer.Ordinal), store.Digests().Order(StringComparer.Ordinal));
        Assert.Equal([kept.Id], repository.GetSets().Select(s => s.Id).ToArray());
    }

    [Fact]
    public async Task Incomplete_sets_go_when_no_run_of_their_kind_is_writing_and_those_abandoned_over_a_day_ago_even_while_one_is()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var now = DateTimeOffset.UtcNow;
        var deadDatabase = repository.BeginSet(BackupKind.Database, now.AddHours(-2));
        var deadStorage = repository.BeginSet(BackupKind.Storage, now.AddHours(-3));
        BackupPruneResult result;
        PendingBackupSet abandonedEnvironment, runningEnvironment;
        using (repository.Lock(BackupKind.Environment))
        {
            // An environment backup is running: its own set, and one a run killed yesterday left.
            abandonedEnvironment = repository.BeginSet(BackupKind.Environment, now.AddHours(-25));
            runningEnvironment = repository.BeginSet(BackupKind.Environment, now.AddMinutes(-5));
            result = await BackupPruner.RemoveAsync(repository, [], prune: true, now, TimeSpan.FromSeconds(5), new CollectingLog(), default);
        }

        Assert.Equal(3, result.IncompleteSetsRemoved);
        Assert.False(Directory.Exists(deadDatabase.Path));
        Assert.False(Directory.Exists(deadStorage.Path));
        Assert.False(Directory.Exists(abandonedEnvironment.Path));
        Assert.True(Directory.Exists(runningEnvironment.Path));
    }

    [Fact]
    public async Task A_damaged_storage_manifest_stops_the_prune_before_any_object_is_deleted()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var store = new ContentStore(repository.ObjectsPath);
        var needed = await AddAsync(store, "needed by the damaged set");
        var damaged = Storage(repository, Now.AddDays(-1), needed);
        File.WriteAllText(Path.Combine(damaged.Path, BackupRepository.ManifestFileName), "{ not json");

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            BackupPruner.RemoveAsync(repository, [], prune: true, Now, TimeSpan.FromSeconds(5), new CollectingLog(), default));

        Assert.Equal("PruneUnsafe", ex.ErrorId);
        Assert.Contains(needed, store.Digests());
    }

    [Fact]
    public void The_newest_verified_set_survives_keep_last_1_when_a_newer_unverified_one_exists()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var oldest = Database(repository, Now.AddDays(-3));
        var verified = Database(repository, Now.AddDays(-2));
        var newest = Database(repository, Now.AddDays(-1));
        Verify(repository, oldest.Id, passed: true);
        Verify(repository, verified.Id, passed: true);
        Verify(repository, newest.Id, passed: false);

        var decisions = BackupPruner.Plan(repository, null, new RetentionPolicy { KeepLast = 1 }, Now);

        Assert.Equal(
            [$"{newest.Id}=Keep:last,newest", $"{verified.Id}=Keep:newest verified", $"{oldest.Id}=Remove:"],
            decisions.Select(d => $"{d.Id}={d.Action}:{string.Join(',', d.Reasons)}").ToArray());
    }

    [Fact]
    public void A_verification_record_that_cannot_be_read_counts_as_no_verification_and_does_not_stop_the_plan()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var verified = Database(repository, Now.AddDays(-3));
        var unreadable = Database(repository, Now.AddDays(-2));
        var newest = Database(repository, Now.AddDays(-1));
        Verify(repository, verified.Id, passed: true);
        Directory.CreateDirectory(Path.Combine(repository.VerificationsPath, unreadable.Id));
        File.WriteAllText(Path.Combine(repository.VerificationsPath, unreadable.Id, "20261130T000000Z.json"), "{ torn");

        var decisions = BackupPruner.Plan(repository, BackupKind.Database, new RetentionPolicy { KeepLast = 1 }, Now);

        Assert.Equal([RetentionAction.Keep, RetentionAction.Remove, RetentionAction.Keep], decisions.Select(d => d.Action).ToArray());
        Assert.Equal(["newest verified"], decisions.Single(d => d.Id == verified.Id).Reasons);
        Assert.Equal(newest.Id, decisions[0].Id);
    }

    [Fact]
    public void Removing_a_set_that_is_not_in_the_repository_is_refused_before_anything_is_removed()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var set = Database(repository, Now.AddDays(-1));

        var ex = Assert.Throws<HotmessException>(() => BackupPruner.Requested(repository, [set.Id, "20261101T000000Z-database-ffff"]));

        Assert.Equal("BackupNotFound", ex.ErrorId);
        Assert.Single(repository.GetSets());
    }

    private static BackupSet Database(BackupRepository repository, DateTimeOffset started)
    {
        var pending = repository.BeginSet(BackupKind.Database, started);
        File.WriteAllText(Path.Combine(pending.Path, "dump.txt"), started.ToString("O"));
        return pending.Complete(new BackupManifest { Source = new BackupSource { Host = "db", Port = 5432, Database = "postgres" } });
    }

    private static BackupSet Storage(BackupRepository repository, DateTimeOffset started, params string[] digests)
    {
        var pending = repository.BeginSet(BackupKind.Storage, started);
        return pending.Complete(new BackupManifest
        {
            Source = new BackupSource { Project = "https://project.supabase.co" },
            Storage = new StorageContents
            {
                Objects = digests.Select((d, i) => new StorageObjectEntry { Bucket = "uploads", Key = $"{i}.bin", Size = 1, Sha256 = d }).ToList(),
            },
        });
    }

    private static void Verify(BackupRepository repository, string setId, bool passed)
    {
        var verification = new BackupVerification { SetId = setId, CompletedUtc = Now };
        verification.Add("payload", passed, "ok", passed ? "ok" : "bad");
        repository.SaveVerification(verification);
    }

    private static async Task<string> AddAsync(ContentStore store, string text)
    {
        using var content = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text));
        return (await store.AddAsync(content, content.Length, default)).Sha256;
    }
}
