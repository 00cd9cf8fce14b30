using Hotmess.Recovery.DataRetention;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Tests.DataRetention;

public sealed class ErasedDataInBackupsTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-erased-").FullName;

    [Fact]
    public void DatabaseSetsOlderThanTheWindowTakenBeforeAnErasingRunAreReported()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var old = AddDatabaseSet(repository, Now.AddDays(-40));
        AddDatabaseSet(repository, Now.AddDays(-10));
        var olderThanEveryRun = AddDatabaseSet(repository, Now.AddDays(-90));
        var afterEveryErasure = AddDatabaseSet(repository, Now.AddDays(-35));
        var records = new[]
        {
            Record(Now.AddDays(-80), rows: 0),
            Record(Now.AddDays(-38), rows: 7),
            Record(Now.AddDays(-36), rows: 3),
            Record(Now.AddDays(-20), rows: 0),
        };

        var found = ErasedDataInBackups.Find(repository, records, TimeSpan.FromDays(30), Now);

        Assert.Equal([olderThanEveryRun, old], found.Select(f => f.SetId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(afterEveryErasure, found.Select(f => f.SetId));
        var first = found.Single(f => f.SetId == old);
        Assert.Equal(10, first.RowsErasedSince);
        Assert.Equal(2, first.RunsSince);
        Assert.Equal(Now.AddDays(-38), first.FirstErasureSinceUtc);
        Assert.Equal(10, found.Single(f => f.SetId == olderThanEveryRun).RowsErasedSince);
    }

    [Fact]
    public void NothingIsReportedWhenNoRunErasedAnything()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        AddDatabaseSet(repository, Now.AddDays(-400));

        Assert.Empty(ErasedDataInBackups.Find(repository, [Record(Now.AddDays(-1), rows: 0)], TimeSpan.FromDays(30), Now));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string AddDatabaseSet(BackupRepository repository, DateTimeOffset started)
    {
        var pending = repository.BeginSet(BackupKind.Database, started);
        return pending.Complete(new BackupManifest { Contents = new DatabaseContents(), CompletedUtc = started.AddMinutes(1) }).Id;
    }

    private static DataRetentionAuditRecord Record(DateTimeOffset started, long rows) => new()
    {
        Id = DataRetentionAuditLog.NewId(started),
        State = DataRetentionRunState.Completed,
        StartedUtc = started,
        Rules = [new DataRetentionAuditRule { Rule = "r", Table = "t", Rows = rows }],
    };
}
