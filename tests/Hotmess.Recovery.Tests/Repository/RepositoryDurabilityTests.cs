using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Storage;
using Hotmess.Recovery.Tests.Support;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Repository;

public sealed class RepositoryDurabilityTests : StorageFakeTests
{
    private StorageBackupRequest Request() => new()
    {
        SupabaseUrl = Fake.BaseUrl,
        ServiceKey = StorageFakes.Key,
        Repository = Fake.Repository,
        ThrottleLimit = 4,
        ClientOptions = StorageFakes.QuickRetries,
    };

    [Fact]
    public async Task Content_store_objects_are_flushed_and_their_folders_synced_before_the_manifest_refers_to_them()
    {
        await CreateBucketAsync(Client, "uploads");
        await UploadManyAsync(Client, "uploads", "media/", 12, 20_000, 3);

        using var observed = FileDurability.Observe();
        var set = await StorageBackupEngine.BackupAsync(Request(), new CollectingLog(), CancellationToken.None);

        var steps = observed.Steps.ToList();
        var manifest = steps.FindIndex(s => s.Action == DurabilityAction.Renamed && s.Path == Path.Combine(set.Path, BackupRepository.ManifestFileName));
        Assert.True(manifest > 0, "the manifest is renamed into place");
        var store = new ContentStore(BackupRepository.Open(Fake.Repository).ObjectsPath);
        var digests = set.Contents.Objects.Select(o => o.Sha256).Distinct().ToList();
        Assert.Equal(12, digests.Count);
        foreach (var digest in digests)
        {
            var blob = store.PathOf(digest);
            var renamed = steps.FindIndex(s => s.Action == DurabilityAction.Renamed && s.Path == blob);
            Assert.InRange(renamed, 0, manifest);
            var flushed = steps.FindIndex(s => s.Action == DurabilityAction.FileFlushed && s.Path == steps[renamed].From);
            Assert.InRange(flushed, 0, renamed);
            var synced = steps.FindIndex(renamed, s => s.Action == DurabilityAction.FolderSynced && s.Path == Path.GetDirectoryName(blob));
            Assert.InRange(synced, renamed, manifest);
        }
    }

    [Fact]
    public async Task A_set_is_complete_only_once_its_payload_and_manifest_are_on_disk()
    {
        var repository = BackupRepository.OpenOrCreate(Fake.Repository);
        var pending = repository.BeginSet(BackupKind.Database, DateTimeOffset.UtcNow);
        var payload = Path.Combine(pending.Path, "dump", "toc.dat");
        Directory.CreateDirectory(Path.GetDirectoryName(payload)!);
        await File.WriteAllTextAsync(payload, "written by another program, never flushed");

        using var observed = FileDurability.Observe();
        pending.Complete(new BackupManifest { Files = await pending.HashPayloadAsync(1, CancellationToken.None) });

        var steps = observed.Steps.ToList();
        var manifestPath = Path.Combine(pending.Path, BackupRepository.ManifestFileName);
        var renamed = steps.FindIndex(s => s.Action == DurabilityAction.Renamed && s.Path == manifestPath);
        Assert.True(renamed > 0, "the manifest is renamed into place");
        Assert.InRange(steps.FindIndex(s => s.Action == DurabilityAction.FileFlushed && s.Path == payload), 0, renamed);
        Assert.InRange(steps.FindIndex(s => s.Action == DurabilityAction.FolderSynced && s.Path == Path.GetDirectoryName(payload)), 0, renamed);
        Assert.InRange(steps.FindIndex(s => s.Action == DurabilityAction.FileFlushed && s.Path == steps[renamed].From), 0, renamed);
        Assert.True(steps.FindIndex(renamed, s => s.Action == DurabilityAction.FolderSynced && s.Path == pending.Path) > renamed, "the set folder is synced after the rename");
        Assert.True(steps.FindIndex(renamed, s => s.Action == DurabilityAction.FolderSynced && s.Path == repository.SetsPath) > renamed, "the sets folder is synced after the rename");
    }

    [Fact]
    public async Task A_temp_file_left_in_objects_tmp_is_gone_after_the_next_storage_backup()
    {
        await CreateBucketAsync(Client, "avatars");
        await UploadAsync(Client, "avatars", "a.png", Bytes(1_000, 4), "image/png");
        var repository = BackupRepository.OpenOrCreate(Fake.Repository);
        var temporary = Path.Combine(repository.ObjectsPath, "tmp");
        Directory.CreateDirectory(temporary);
        var killedDownload = Path.Combine(temporary, Guid.NewGuid().ToString("N") + ".partial");
        var olderLeftover = Path.Combine(temporary, "0a1b2c3d.tmp");
        await File.WriteAllBytesAsync(killedDownload, Bytes(500, 5));
        await File.WriteAllBytesAsync(olderLeftover, Bytes(500, 6));
        var log = new CollectingLog();

        await StorageBackupEngine.BackupAsync(Request(), log, CancellationToken.None);

        Assert.Empty(Directory.EnumerateFiles(temporary));
        Assert.Contains(log.Verbose, m => m.Contains("2 partial download(s)", StringComparison.Ordinal));
    }
}
