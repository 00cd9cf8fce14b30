using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Tests.Repository;

public sealed class BackupRepositoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotmess-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void A_set_without_its_manifest_is_never_listed()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var pending = repository.BeginSet(BackupKind.Database, DateTimeOffset.UtcNow);
        File.WriteAllText(Path.Combine(pending.Path, "payload"), "half");

        Assert.Empty(repository.GetSets());
        Assert.Single(repository.GetIncompleteSetPaths());
        var ex = Assert.Throws<HotmessException>(() => repository.GetSet(pending.Id));
        Assert.Equal("BackupNotFound", ex.ErrorId);

        pending.Complete(new BackupManifest());
        Assert.Equal(pending.Id, Assert.Single(repository.GetSets()).Id);
    }

    [Fact]
    public async Task Sets_are_listed_newest_first_and_filtered_by_kind()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var start = new DateTimeOffset(2026, 11, 24, 19, 3, 12, TimeSpan.Zero);
        var older = repository.BeginSet(BackupKind.Database, start);
        older.Complete(new BackupManifest());
        var storage = repository.BeginSet(BackupKind.Storage, start.AddMinutes(1));
        storage.Complete(new BackupManifest());
        var newer = repository.BeginSet(BackupKind.Database, start.AddHours(1));
        File.WriteAllText(Path.Combine(newer.Path, "a.txt"), "abc");
        newer.Complete(new BackupManifest { Files = await newer.HashPayloadAsync(2, default) });

        Assert.Equal([newer.Id, storage.Id, older.Id], repository.GetSets().Select(s => s.Id).ToArray());
        Assert.Equal([newer.Id, older.Id], repository.GetSets(BackupKind.Database).Select(s => s.Id).ToArray());
        Assert.StartsWith("20261124T200312Z-database-", newer.Id, StringComparison.Ordinal);
        var file = Assert.Single(repository.GetSet(newer.Id).Manifest.Files);
        Assert.Equal(("a.txt", 3L, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), (file.Path, file.Size, file.Sha256));
    }

    [Theory]
    [InlineData("../../etc")]
    [InlineData("20261124T190312Z-database-7f3a/../x")]
    [InlineData("")]
    public void Ids_that_are_not_set_ids_never_reach_the_disk(string id)
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        Assert.Equal("BackupNotFound", Assert.Throws<HotmessException>(() => repository.GetSet(id)).ErrorId);
    }

    [Fact]
    public void Two_backups_of_one_kind_cannot_write_at_once()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        using (repository.Lock(BackupKind.Database))
        {
            Assert.Equal("RepositoryLocked", Assert.Throws<HotmessException>(() => repository.Lock(BackupKind.Database)).ErrorId);
            using var other = repository.Lock(BackupKind.Storage);
        }

        using var again = repository.Lock(BackupKind.Database);
    }

    [Fact]
    public void Opening_a_folder_that_is_not_a_repository_says_so()
    {
        Directory.CreateDirectory(_root);
        var ex = Assert.Throws<HotmessException>(() => BackupRepository.Open(_root));
        Assert.Equal("RepositoryNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
    }

    [Fact]
    public void Verifications_are_recorded_beside_the_set_and_read_back()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var set = repository.BeginSet(BackupKind.Database, DateTimeOffset.UtcNow);
        set.Complete(new BackupManifest());
        var verification = new BackupVerification { SetId = set.Id, CompletedUtc = DateTimeOffset.UtcNow };
        verification.Add("File x", false, "1 bytes", "missing", "Files");

        var path = repository.SaveVerification(verification);

        Assert.StartsWith(Path.Combine(_root, "verifications", set.Id), path, StringComparison.Ordinal);
        var read = Assert.Single(repository.GetVerifications(set.Id));
        Assert.False(read.Passed);
        Assert.Equal("missing", Assert.Single(read.Checks).Actual);
    }

    [Fact]
    public void A_verification_without_checks_never_passes() => Assert.False(new BackupVerification().Passed);
}
