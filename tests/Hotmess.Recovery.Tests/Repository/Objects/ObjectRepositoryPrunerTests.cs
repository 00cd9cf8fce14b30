using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Retention;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>Retention on an encrypted repository: the local decisions, sets then unreferenced objects, under the lease.</summary>
public sealed class ObjectRepositoryPrunerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 19, 0, 0, TimeSpan.Zero);
    private readonly string _localRoot = Path.Combine(Path.GetTempPath(), "hotmess-prune-local-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _storeRoot = Path.Combine(Path.GetTempPath(), "hotmess-prune-store-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly CollectingLog _log = new();
    private BackupRepository _local = null!;
    private ObjectRepository _repository = null!;

    public async Task InitializeAsync()
    {
        _local = BackupRepository.OpenOrCreate(_localRoot);
        _repository = await ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(_storeRoot), LocalSets.Passphrase, _log, default);
    }

    public async Task DisposeAsync()
    {
        await _repository.DisposeAsync();
        foreach (var folder in new[] { _localRoot, _storeRoot })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Removing_a_storage_set_removes_the_objects_only_it_held_and_keeps_those_a_remaining_set_shares()
    {
        var shared = RandomNumberGenerator.GetBytes(1_000);
        var older = await CopyAsync(await LocalSets.StorageSetAsync(_local, Start, shared, RandomNumberGenerator.GetBytes(700)));
        var newer = await CopyAsync(await LocalSets.StorageSetAsync(_local, Start.AddDays(7), shared));

        var decisions = await ObjectRepositoryPruner.PlanAsync(_repository, null, new RetentionPolicy { KeepLast = 1 }, Start.AddDays(8), null, _log, default);
        var remove = decisions.Where(d => d.Action == RetentionAction.Remove).Select(d => d.Id).ToList();
        var result = await ObjectRepositoryPruner.RemoveAsync(_repository, remove, prune: true, TimeSpan.Zero, _log, default);

        Assert.Equal([older.Id], result.RemovedSetIds);
        Assert.Equal(1, result.ObjectsRemoved);
        Assert.Equal(newer.Id, Assert.Single(await _repository.GetSetsAsync(null, _log, default)).Id);
        Assert.Equal([ObjectRepositoryLayout.ContentName(_repository.Key, newer.Manifest.Storage!.Objects[0].Sha256)], await NamesAsync(ObjectRepositoryLayout.ObjectsFolder));
        using var fetched = await ObjectRepositoryFetcher.FetchAsync(new FetchRequest { Set = newer, Source = _repository }, _log, default);
        Assert.Empty(fetched.Failures);
    }

    [Fact]
    public async Task What_an_interrupted_copy_left_is_pruned_and_the_sets_verifications_go_with_it()
    {
        var kept = await CopyAsync(await LocalSets.DatabaseSetAsync(_local, Start));
        var gone = await LocalSets.DatabaseSetAsync(_local, Start.AddDays(1));
        var verification = new BackupVerification { SetId = gone.Id, Kind = gone.Kind, CompletedUtc = Start.AddDays(2) };
        verification.Add("File dump/toc.dat", true, "x", "x");
        _local.SaveVerification(verification);
        await CopyAsync(gone);
        // A copy that stopped before its manifest: files no manifest names.
        var interrupted = await LocalSets.DatabaseSetAsync(_local, Start.AddDays(3));
        await _repository.Store.PutAsync(ObjectRepositoryLayout.FileName(_repository.Key, interrupted.Id, "dump/toc.dat"), new MemoryStream([1, 2, 3]), default);

        var result = await ObjectRepositoryPruner.RemoveAsync(_repository, [gone.Id], prune: true, TimeSpan.Zero, _log, default);

        Assert.Equal([gone.Id], result.RemovedSetIds);
        var expected = kept.Manifest.Files.Select(f => ObjectRepositoryLayout.FileName(_repository.Key, kept.Id, f.Path)).Order(StringComparer.Ordinal);
        Assert.Equal(expected, await NamesAsync(ObjectRepositoryLayout.FilesFolder));
        Assert.Empty(await NamesAsync(ObjectRepositoryLayout.VerificationsFolder));
    }

    [Fact]
    public async Task A_manifest_that_cannot_be_read_stops_the_pruning_and_no_object_goes()
    {
        var set = await CopyAsync(await LocalSets.StorageSetAsync(_local, Start, RandomNumberGenerator.GetBytes(400)));
        var name = ObjectRepositoryLayout.ManifestName(_repository.Key, set.Id);
        await StoreFlips.FlipByteAsync(_repository.Store, name);
        await _repository.Store.PutAsync(ObjectRepositoryLayout.ContentName(_repository.Key, new string('a', 64)), new MemoryStream([1]), default);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => ObjectRepositoryPruner.RemoveAsync(_repository, [], prune: true, TimeSpan.Zero, _log, default));

        Assert.Equal("PruneUnsafe", ex.ErrorId);
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await NamesAsync(ObjectRepositoryLayout.ObjectsFolder)).Count);
    }

    [Fact]
    public async Task A_removal_waits_for_a_copy_holding_the_lease_and_gives_up_with_RepositoryLocked()
    {
        await CopyAsync(await LocalSets.DatabaseSetAsync(_local, Start));
        await using var copying = await _repository.LockAsync(TimeSpan.Zero, _log, default);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => ObjectRepositoryPruner.RemoveAsync(_repository, [], prune: true, TimeSpan.FromSeconds(2), _log, default));

        Assert.Equal("RepositoryLocked", ex.ErrorId);
        Assert.NotEmpty(await NamesAsync(ObjectRepositoryLayout.FilesFolder));
    }

    [Fact]
    public async Task The_newest_verified_set_is_kept_whatever_the_policy_says()
    {
        var verified = await LocalSets.DatabaseSetAsync(_local, Start);
        var verification = new BackupVerification { SetId = verified.Id, Kind = verified.Kind, CompletedUtc = Start.AddHours(1) };
        verification.Add("File dump/toc.dat", true, "x", "x");
        _local.SaveVerification(verification);
        await CopyAsync(verified);
        await CopyAsync(await LocalSets.DatabaseSetAsync(_local, Start.AddDays(1)));
        var newest = await CopyAsync(await LocalSets.DatabaseSetAsync(_local, Start.AddDays(2)));

        var decisions = await ObjectRepositoryPruner.PlanAsync(_repository, BackupKind.Database, new RetentionPolicy { KeepLast = 1 }, Start.AddDays(3), null, _log, default);

        Assert.Equal([newest.Id, verified.Id], decisions.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Id));
        Assert.Contains(RetentionPlanner.NewestVerifiedReason, decisions.Single(d => d.Id == verified.Id).Reasons);
    }

    private async Task<BackupSet> CopyAsync(BackupSet set) =>
        (await BackupCopyEngine.CopyAsync(new BackupCopyRequest { Set = set, Destination = _repository }, _log, default)).Set;

    private async Task<List<string>> NamesAsync(string prefix)
    {
        var names = new List<string>();
        await foreach (var info in _repository.Store.ListAsync(prefix, default))
        {
            names.Add(info.Name);
        }

        return names.Order(StringComparer.Ordinal).ToList();
    }
}
