using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>
/// The encrypted repository over an object store: copy, list, fetch, resume, tampering and keys. Run against every
/// store by the subclasses.
/// </summary>
public abstract class ObjectRepositoryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 19, 3, 12, TimeSpan.Zero);

    protected string LocalRoot { get; } = Path.Combine(Path.GetTempPath(), "hotmess-copy-" + Guid.NewGuid().ToString("N")[..12]);

    protected string CacheParent { get; } = Path.Combine(Path.GetTempPath(), "hotmess-cachetest-" + Guid.NewGuid().ToString("N")[..12]);

    protected BackupRepository Local { get; private set; } = null!;

    protected CollectingLog Log { get; } = new();

    /// <summary>A new, empty store; each call in one test opens the same one.</summary>
    protected abstract Task<IObjectStore> OpenStoreAsync();

    /// <summary>Changes one byte in the middle of a stored object, as rot or an attacker would.</summary>
    protected abstract Task FlipByteAsync(string name);

    public virtual Task InitializeAsync()
    {
        Local = BackupRepository.OpenOrCreate(LocalRoot);
        Directory.CreateDirectory(CacheParent);
        return Task.CompletedTask;
    }

    public virtual Task DisposeAsync()
    {
        foreach (var folder in new[] { LocalRoot, CacheParent })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_copied_database_set_is_listed_and_fetched_back_byte_for_byte()
    {
        var set = await LocalSets.DatabaseSetAsync(Local, Start);

        var result = await CopyAsync(set);
        Assert.False(result.SetAlreadyThere);
        Assert.Equal(3, result.Uploaded);

        await using var repository = await OpenAsync();
        var listed = Assert.Single(await repository.GetSetsAsync(null, Log, default));
        Assert.Equal((set.Id, BackupKind.Database, repository.Location, set.SizeBytes, set.Source), (listed.Id, listed.Kind, listed.Repository, listed.SizeBytes, listed.Source));
        Assert.Equal(result.Set.Id, listed.Id);

        using var fetched = await FetchAsync(repository, listed);
        Assert.Empty(fetched.Failures);
        foreach (var file in set.Manifest.Files)
        {
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(set.Path, file.Path)), await File.ReadAllBytesAsync(Path.Combine(fetched.Set.Path, file.Path)));
        }

        Assert.Equal("orders", Assert.Single(fetched.Set.Manifest.Database!.Tables).Name);
    }

    [Fact]
    public async Task The_fetch_cache_is_private_and_removed_after_use()
    {
        var set = await LocalSets.DatabaseSetAsync(Local, Start);
        await CopyAsync(set);
        await using var repository = await OpenAsync();

        string cacheRoot;
        using (var fetched = await FetchAsync(repository, await repository.GetSetAsync(set.Id, false, default)))
        {
            cacheRoot = fetched.CacheRoot;
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(cacheRoot));
                Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(Path.Combine(fetched.Set.Path, "dump", "toc.dat")));
            }
        }

        Assert.False(Directory.Exists(cacheRoot));
    }

    [Fact]
    public async Task Stored_names_reveal_no_set_id_file_name_or_digest()
    {
        var database = await LocalSets.DatabaseSetAsync(Local, Start);
        var storage = await LocalSets.StorageSetAsync(Local, Start.AddMinutes(1), RandomNumberGenerator.GetBytes(500));
        await CopyAsync(database);
        await CopyAsync(storage);

        await using var store = await OpenStoreAsync();
        var names = new List<string>();
        await foreach (var info in store.ListAsync("", default))
        {
            names.Add(info.Name);
        }

        var secrets = new[] { database.Id, storage.Id, "toc.dat", "dump", "3456", "uploads", storage.Manifest.Storage!.Objects[0].Sha256[..16], "database", "storage" };
        Assert.All(names, name => Assert.DoesNotContain(secrets, s => name.Contains(s, StringComparison.OrdinalIgnoreCase)));
        Assert.All(names.Where(n => n != "hotmess-repository.json"), name => Assert.Matches("^(sets|files|objects)/[0-9a-f]{64}$", name));
    }

    [Fact]
    public async Task Content_objects_are_shared_so_a_second_storage_set_sends_only_what_is_new()
    {
        var shared = RandomNumberGenerator.GetBytes(2_000);
        var first = await LocalSets.StorageSetAsync(Local, Start, shared, RandomNumberGenerator.GetBytes(100));
        var second = await LocalSets.StorageSetAsync(Local, Start.AddDays(1), shared, shared, RandomNumberGenerator.GetBytes(300));

        Assert.Equal(2, (await CopyAsync(first)).Uploaded);
        var result = await CopyAsync(second);

        Assert.Equal((1, 300L, 1), (result.Uploaded, result.UploadedBytes, result.AlreadyThere));
        Assert.Equal(3, result.Set.Manifest.Storage!.ObjectCount);
    }

    [Fact]
    public async Task An_unchanged_second_copy_sends_nothing_and_outputs_the_set_there()
    {
        var set = await LocalSets.DatabaseSetAsync(Local, Start);
        await CopyAsync(set);

        var again = await CopyAsync(set);

        Assert.True(again.SetAlreadyThere);
        Assert.Equal((0, 0L), (again.Uploaded, again.UploadedBytes));
        Assert.Equal(set.Id, again.Set.Id);
    }

    [Fact]
    public async Task An_interrupted_copy_is_never_listed_and_a_rerun_sends_only_what_is_missing()
    {
        var set = await LocalSets.StorageSetAsync(Local, Start, Enumerable.Range(0, 6).Select(_ => RandomNumberGenerator.GetBytes(1_000)).ToArray());
        await using (var repository = await OpenAsync(initialize: true))
        {
        }

        await using (var failing = new FailingStore(await OpenStoreAsync(), failAfterPuts: 3))
        await using (var repository = await ObjectRepository.OpenAsync(failing, LocalSets.Passphrase, default))
        {
            await Assert.ThrowsAnyAsync<IOException>(() => BackupCopyEngine.CopyAsync(
                new BackupCopyRequest { Set = set, Destination = repository, Parallelism = 1 }, Log, default));
            Assert.Empty(await repository.GetSetsAsync(null, Log, default));
        }

        var resumed = await CopyAsync(set);

        Assert.Equal((3, 3), (resumed.Uploaded, resumed.AlreadyThere));
        await using var reopened = await OpenAsync();
        using var fetched = await FetchAsync(reopened, Assert.Single(await reopened.GetSetsAsync(null, Log, default)));
        Assert.Empty(fetched.Failures);
        Assert.Equal(6, fetched.Cache.Content.Digests().Count);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_payload_file_fails_the_fetch_naming_the_set_and_the_file()
    {
        var set = await LocalSets.DatabaseSetAsync(Local, Start);
        await CopyAsync(set);
        await using var repository = await OpenAsync();
        await FlipByteAsync(ObjectRepositoryLayout.FileName(repository.Key, set.Id, "dump/3456.dat.gz"));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => FetchAsync(repository, set));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Contains(set.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("dump/3456.dat.gz", ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateDirectories(CacheParent));
    }

    [Fact]
    public async Task A_flipped_byte_is_collected_for_verification_with_every_intact_file_still_fetched()
    {
        var set = await LocalSets.DatabaseSetAsync(Local, Start);
        await CopyAsync(set);
        await using var repository = await OpenAsync();
        await FlipByteAsync(ObjectRepositoryLayout.FileName(repository.Key, set.Id, "dump/3456.dat.gz"));

        using var fetched = await ObjectRepositoryFetcher.FetchAsync(new FetchRequest { Set = set, Source = repository, CollectFailures = true, CacheParent = CacheParent }, Log, default);

        Assert.Contains("dump/3456.dat.gz", Assert.Single(fetched.Failures).Described, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(fetched.Set.Path, "dump", "toc.dat")));
        Assert.False(File.Exists(Path.Combine(fetched.Set.Path, "dump", "3456.dat.gz")));
    }

    [Fact]
    public async Task A_flipped_byte_in_a_content_object_fails_the_fetch_naming_the_set_and_the_object()
    {
        var set = await LocalSets.StorageSetAsync(Local, Start, RandomNumberGenerator.GetBytes(5_000));
        await CopyAsync(set);
        await using var repository = await OpenAsync();
        await FlipByteAsync(ObjectRepositoryLayout.ContentName(repository.Key, set.Manifest.Storage!.Objects[0].Sha256));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => FetchAsync(repository, set));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Contains(set.Id, ex.Message, StringComparison.Ordinal);
        Assert.Contains("uploads/o0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_collected_content_object_that_does_not_authenticate_leaves_nothing_under_its_digest_in_the_cache()
    {
        var set = await LocalSets.StorageSetAsync(Local, Start, RandomNumberGenerator.GetBytes(5_000));
        await CopyAsync(set);
        await using var repository = await OpenAsync();
        var sha256 = set.Manifest.Storage!.Objects[0].Sha256;
        await FlipByteAsync(ObjectRepositoryLayout.ContentName(repository.Key, sha256));

        using var fetched = await ObjectRepositoryFetcher.FetchAsync(new FetchRequest { Set = set, Source = repository, CollectFailures = true, CacheParent = CacheParent }, Log, default);

        Assert.Contains(sha256, Assert.Single(fetched.Failures).Described, StringComparison.Ordinal);
        Assert.False(File.Exists(fetched.Cache.Content.PathOf(sha256)));
    }

    [Fact]
    public async Task Fetched_content_objects_are_whole_under_their_digest_without_flushing_the_throwaway_cache()
    {
        var set = await LocalSets.StorageSetAsync(Local, Start, RandomNumberGenerator.GetBytes(300_000));
        await CopyAsync(set);
        await using var repository = await OpenAsync();

        using var observed = FileDurability.Observe();
        using var fetched = await FetchAsync(repository, set);

        Assert.DoesNotContain(observed.Steps, s => s.Action == DurabilityAction.FileFlushed && s.Path.StartsWith(fetched.Cache.Content.Root, StringComparison.Ordinal));
        foreach (var entry in set.Manifest.Storage!.Objects)
        {
            Assert.Equal(entry.Sha256, await Hashing.Sha256FileAsync(fetched.Cache.Content.PathOf(entry.Sha256), default));
        }
    }

    [Fact]
    public async Task A_flipped_byte_in_a_manifest_leaves_the_set_unlisted_with_a_warning_and_damaged_by_id()
    {
        var damaged = await LocalSets.DatabaseSetAsync(Local, Start);
        var intact = await LocalSets.DatabaseSetAsync(Local, Start.AddDays(1));
        await CopyAsync(damaged);
        await CopyAsync(intact);
        await using var repository = await OpenAsync();
        var manifestName = ObjectRepositoryLayout.ManifestName(repository.Key, damaged.Id);
        await FlipByteAsync(manifestName);

        var unreadable = new List<string>();
        Assert.Equal(intact.Id, Assert.Single(await repository.GetSetsAsync(null, Log, default, unreadable)).Id);
        Assert.Equal([manifestName], unreadable);
        Assert.Contains(Log.Warnings, w => w.Contains(manifestName, StringComparison.Ordinal));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => repository.GetSetAsync(damaged.Id, includeDamaged: false, default));
        Assert.Equal("ManifestInvalid", ex.ErrorId);
        Assert.Contains(damaged.Id, ex.Message, StringComparison.Ordinal);
        var listed = await repository.GetSetAsync(damaged.Id, includeDamaged: true, default);
        Assert.Equal(BackupSetState.Damaged, listed.State);
    }

    [Fact]
    public async Task Verifications_are_copied_and_a_flipped_byte_in_one_makes_it_count_as_none()
    {
        var set = await LocalSets.DatabaseSetAsync(Local, Start);
        var verification = new BackupVerification { SetId = set.Id, Kind = set.Kind, StartedUtc = Start.AddHours(1), CompletedUtc = Start.AddHours(1).AddTicks(1234567) };
        verification.Add("File dump/toc.dat", true, "x", "x", "Files");
        Local.SaveVerification(verification);
        await CopyAsync(set);
        await using var repository = await OpenAsync();

        var stored = Assert.Single(await repository.GetVerificationsAsync(Log, default));
        Assert.True(stored.Verification.Passed);
        Assert.Equal(set.Id, stored.Verification.SetId);

        await FlipByteAsync(stored.Name);
        Assert.Empty(await repository.GetVerificationsAsync(Log, default));
        Assert.Contains(Log.Warnings, w => w.Contains(stored.Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_wrong_key_fails_at_once_naming_the_repository()
    {
        await CopyAsync(await LocalSets.DatabaseSetAsync(Local, Start));
        var store = await OpenStoreAsync();

        var ex = await Assert.ThrowsAsync<HotmessException>(() => ObjectRepository.OpenAsync(store, LocalSets.WrongPassphrase, default));

        Assert.Equal("RepositoryKeyWrong", ex.ErrorId);
        Assert.Contains(store.Location, ex.Message, StringComparison.Ordinal);
        await store.DisposeAsync();
    }

    [Fact]
    public async Task A_store_holding_other_objects_is_not_initialised_as_a_repository()
    {
        await using (var store = await OpenStoreAsync())
        {
            await store.PutAsync("someone-elses/file.txt", new MemoryStream([1, 2, 3]), default);
        }

        var ex = await Assert.ThrowsAsync<HotmessException>(() => OpenAsync(initialize: true));

        Assert.Equal("RepositoryNotEmpty", ex.ErrorId);
    }

    [Fact]
    public async Task A_damaged_local_set_is_refused_and_nothing_of_it_is_listed_at_the_destination()
    {
        var set = await LocalSets.DatabaseSetAsync(Local, Start);
        var file = Path.Combine(set.Path, "dump", "3456.dat.gz");
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(file, bytes);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => CopyAsync(set));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Contains("dump/3456.dat.gz", ex.Message, StringComparison.Ordinal);
        await using var repository = await OpenAsync();
        Assert.Empty(await repository.GetSetsAsync(null, Log, default));
        Assert.Null(await repository.Store.GetInfoAsync(ObjectRepositoryLayout.FileName(repository.Key, set.Id, "dump/3456.dat.gz"), default));
    }

    [Fact]
    public async Task An_incident_record_is_kept_encrypted_under_a_keyed_name_and_read_back_whole()
    {
        var record = NewIncident();
        record.SetFact("ProjectRef", "abcdefghijklmnopqrst");
        record.AddStep("Infrastructure: Restore the database", Hotmess.Recovery.Incidents.IncidentStepStatus.Succeeded, Start, TimeSpan.FromMinutes(7), "set 1");
        record.AddNote("Restored into the new project.");

        await using (var repository = await OpenAsync(initialize: true))
        {
            await repository.SaveIncidentAsync(record, default);
        }

        await using var reopened = await OpenAsync();
        var kept = await reopened.FindIncidentAsync(record.Id, null, default);
        Assert.NotNull(kept);
        Assert.Equal((record.Id, record.Procedure, record.Reason), (kept.Id, kept.Procedure, kept.Reason));
        Assert.Equal("abcdefghijklmnopqrst", kept.Facts["ProjectRef"]);
        var step = Assert.Single(kept.Steps);
        Assert.Equal(("Infrastructure: Restore the database", TimeSpan.FromMinutes(7)), (step.Name, step.Duration));
        Assert.Equal("Restored into the new project.", Assert.Single(kept.Notes).Text);
        var stored = await ListAsync(reopened.Store, ObjectRepositoryLayout.IncidentsFolder);
        Assert.Equal(ObjectRepositoryLayout.IncidentName(reopened.Key, record.Id), Assert.Single(stored));
        Assert.DoesNotContain("platform-recovery", stored[0], StringComparison.Ordinal);
        var bytes = await ReadStoredAsync(reopened.Store, stored[0]);
        Assert.Equal(-1, bytes.AsSpan().IndexOf("platform-recovery"u8));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("abcdefghijklmnopqrst"u8));
    }

    [Fact]
    public async Task Saving_an_incident_record_again_replaces_its_copy()
    {
        var record = NewIncident();
        await using var repository = await OpenAsync(initialize: true);
        await repository.SaveIncidentAsync(record, default);
        record.AddNote("A second save.");

        await repository.SaveIncidentAsync(record, default);

        Assert.Single(await ListAsync(repository.Store, ObjectRepositoryLayout.IncidentsFolder));
        Assert.Equal("A second save.", Assert.Single((await repository.FindIncidentAsync(record.Id, null, default))!.Notes).Text);
    }

    [Fact]
    public async Task An_incident_the_repository_does_not_keep_is_not_found()
    {
        await using var repository = await OpenAsync(initialize: true);
        await repository.SaveIncidentAsync(NewIncident(), default);

        Assert.Null(await repository.FindIncidentAsync("20261124T000000Z-other-incident", null, default));
    }

    [Fact]
    public async Task A_flipped_byte_in_an_incident_record_fails_the_read_naming_the_incident()
    {
        var record = NewIncident();
        await using var repository = await OpenAsync(initialize: true);
        await repository.SaveIncidentAsync(record, default);

        await FlipByteAsync(ObjectRepositoryLayout.IncidentName(repository.Key, record.Id));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => repository.FindIncidentAsync(record.Id, null, default));
        Assert.Equal("IncidentRecordInvalid", ex.ErrorId);
        Assert.Contains(record.Id, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_incident_record_put_under_another_incidents_name_does_not_authenticate()
    {
        var record = NewIncident();
        await using var repository = await OpenAsync(initialize: true);
        await repository.SaveIncidentAsync(record, default);
        const string other = "20261124T000000Z-other-incident";

        var bytes = await ReadStoredAsync(repository.Store, ObjectRepositoryLayout.IncidentName(repository.Key, record.Id));
        await repository.Store.PutAsync(ObjectRepositoryLayout.IncidentName(repository.Key, other), new MemoryStream(bytes), default);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => repository.FindIncidentAsync(other, null, default));
        Assert.Equal("IncidentRecordInvalid", ex.ErrorId);
    }

    private static Hotmess.Recovery.Incidents.IncidentRecord NewIncident() =>
        new("platform-recovery", "Procedure 4: Complete Platform Recovery", "Everything is gone", "ops", new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start));

    private static async Task<List<string>> ListAsync(IObjectStore store, string prefix)
    {
        var names = new List<string>();
        await foreach (var info in store.ListAsync(prefix, default))
        {
            names.Add(info.Name);
        }

        return names;
    }

    private static async Task<byte[]> ReadStoredAsync(IObjectStore store, string name)
    {
        var buffer = new MemoryStream();
        await using (var read = await store.OpenReadAsync(name, default))
        {
            await read.CopyToAsync(buffer);
        }

        return buffer.ToArray();
    }

    protected async Task<ObjectRepository> OpenAsync(bool initialize = false)
    {
        var store = await OpenStoreAsync();
        return initialize
            ? await ObjectRepository.OpenOrInitializeAsync(store, LocalSets.Passphrase, Log, default)
            : await ObjectRepository.OpenAsync(store, LocalSets.Passphrase, default);
    }

    protected async Task<BackupCopyResult> CopyAsync(BackupSet set)
    {
        await using var repository = await OpenAsync(initialize: true);
        return await BackupCopyEngine.CopyAsync(new BackupCopyRequest { Set = set, Destination = repository, Parallelism = 4 }, Log, default);
    }

    protected Task<FetchedBackupSet> FetchAsync(ObjectRepository repository, BackupSet set) =>
        ObjectRepositoryFetcher.FetchAsync(new FetchRequest { Set = set, Source = repository, CacheParent = CacheParent }, Log, default);
}
