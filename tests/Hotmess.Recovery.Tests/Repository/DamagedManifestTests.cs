using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Tests.Repository;

public sealed class DamagedManifestTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-damaged-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private (BackupRepository Repository, BackupSet Older, BackupSet Damaged, BackupSet Newer) ThreeSetsOneDamaged()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var start = new DateTimeOffset(2026, 11, 24, 19, 3, 12, TimeSpan.Zero);
        var older = repository.BeginSet(BackupKind.Database, start).Complete(new BackupManifest { Database = new DatabaseContents { SnapshotId = "a" } });
        var damaged = repository.BeginSet(BackupKind.Database, start.AddHours(1)).Complete(new BackupManifest { Database = new DatabaseContents { SnapshotId = "b" } });
        var newer = repository.BeginSet(BackupKind.Storage, start.AddHours(2)).Complete(new BackupManifest { Storage = new StorageContents() });
        File.WriteAllText(Path.Combine(damaged.Path, BackupRepository.ManifestFileName), "{ \"formatVersion\": 1, \"id\": \"" + damaged.Id + "\", \"kind\": \"Datab");
        return (repository, older, damaged, newer);
    }

    [Fact]
    public void One_damaged_manifest_no_longer_stops_the_listing_of_the_other_sets()
    {
        var (repository, older, damaged, newer) = ThreeSetsOneDamaged();

        Assert.Equal([newer.Id, older.Id], repository.GetSets().Select(s => s.Id));
        Assert.Equal([older.Id], repository.GetSets(BackupKind.Database).Select(s => s.Id));

        var listed = repository.GetSets(includeDamaged: true).ToList();
        Assert.Equal([newer.Id, damaged.Id, older.Id], listed.Select(s => s.Id));
        Assert.Equal([BackupSetState.Complete, BackupSetState.Damaged, BackupSetState.Complete], listed.Select(s => s.State));
        var reported = listed[1];
        Assert.Equal((BackupKind.Database, damaged.StartedUtc), (reported.Kind, reported.StartedUtc));
        Assert.Contains(BackupRepository.ManifestFileName, reported.Problem, StringComparison.Ordinal);
        Assert.Null(listed[0].Problem);
    }

    [Fact]
    public void A_damaged_set_is_refused_for_use_and_reported_when_asked_for()
    {
        var (repository, _, damaged, _) = ThreeSetsOneDamaged();

        var refused = Assert.Throws<HotmessException>(() => repository.GetSet(damaged.Id));

        Assert.Equal(("ManifestInvalid", FailureKind.InvalidData), (refused.ErrorId, refused.Kind));
        Assert.Equal(BackupSetState.Damaged, repository.GetSet(damaged.Id, includeDamaged: true).State);
    }

    [Fact]
    public void A_manifest_that_names_another_set_or_kind_is_damaged()
    {
        var (repository, older, _, newer) = ThreeSetsOneDamaged();
        File.Copy(Path.Combine(older.Path, BackupRepository.ManifestFileName), Path.Combine(newer.Path, BackupRepository.ManifestFileName), overwrite: true);

        var moved = repository.GetSet(newer.Id, includeDamaged: true);

        Assert.Equal((BackupSetState.Damaged, BackupKind.Storage), (moved.State, moved.Kind));
        Assert.Contains(older.Id, moved.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_of_a_damaged_set_reports_it_failed_with_the_reason()
    {
        var (repository, _, damaged, _) = ThreeSetsOneDamaged();
        var set = repository.GetSet(damaged.Id, includeDamaged: true);

        var verification = BackupVerification.ForDamagedSet(set);
        repository.SaveVerification(verification);

        Assert.False(verification.Passed);
        var check = Assert.Single(verification.Checks);
        Assert.Equal(("Manifest", set.Problem), (check.Name, check.Detail));
        Assert.False(Assert.Single(repository.GetVerifications(damaged.Id)).Passed);
    }

    [Fact]
    public async Task A_damaged_set_from_the_pipeline_is_refused_by_every_restore_as_damaged()
    {
        var (repository, _, damaged, _) = ThreeSetsOneDamaged();
        var set = repository.GetSet(damaged.Id, includeDamaged: true);

        var refused = await Assert.ThrowsAsync<HotmessException>(() => Hotmess.Recovery.Database.DatabaseRestoreEngine.RestoreAsync(
            new Hotmess.Recovery.Database.DatabaseRestoreRequest { Set = set, TargetConnectionString = "Host=127.0.0.1;Database=never_created" },
            NullOperationLog.Instance, CancellationToken.None));

        Assert.Equal(("ManifestInvalid", FailureKind.InvalidData), (refused.ErrorId, refused.Kind));
        Assert.Contains(BackupRepository.ManifestFileName, refused.Message, StringComparison.Ordinal);
    }
}
