using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Retention;

namespace Hotmess.Recovery.Tests.Retention;

public sealed class LogSetRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-log-retention-").FullName;

    [Fact]
    public void LogSetsAreKeptAYearWhateverTheWeeklyPolicyWouldThinAndOtherKindsKeepThatPolicy()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var logs = Enumerable.Range(0, 60).Select(week => AddSet(repository, BackupKind.Log, Now.AddDays(-1 - (week * 7)))).ToList();
        var databases = Enumerable.Range(0, 30).Select(week => AddSet(repository, BackupKind.Database, Now.AddDays(-1 - (week * 7)))).ToList();

        var decisions = BackupPruner.Plan(repository, null, RetentionPolicy.WeeklyManualBackups, Now, new RetentionSettings().KindPolicies());

        var kept = decisions.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Id).ToHashSet();
        // Within 365 days of the newest log set: weeks 0 to 52.
        Assert.All(logs.Take(53), id => Assert.Contains(id, kept));
        Assert.All(logs.Skip(53), id => Assert.DoesNotContain(id, kept));
        // Database sets: 8 weekly and 12 monthly, so some of the 30 weeks go.
        Assert.Contains(databases, id => !kept.Contains(id));
    }

    [Fact]
    public void KeepLogsWithinChangesHowLongLogSetsStay()
    {
        var repository = BackupRepository.OpenOrCreate(_root);
        var recent = AddSet(repository, BackupKind.Log, Now.AddDays(-1));
        var old = AddSet(repository, BackupKind.Log, Now.AddDays(-40));

        var decisions = BackupPruner.Plan(repository, null, RetentionPolicy.WeeklyManualBackups, Now, new RetentionSettings { KeepLogsWithin = "30d" }.KindPolicies());

        Assert.Equal(RetentionAction.Keep, decisions.Single(d => d.Id == recent).Action);
        Assert.Equal(RetentionAction.Remove, decisions.Single(d => d.Id == old).Action);
    }

    [Fact]
    public void ThePlannerKeepsLogSetsForTheirOwnSpanWhateverRepositoryHoldsThem()
    {
        // What an offsite repository's pruner plans from: candidates read from its manifests, no local folder.
        var logs = Enumerable.Range(0, 60).Select(week => new RetentionCandidate($"log-{week}", BackupKind.Log, null, Now.AddDays(-1 - (week * 7)), false)).ToList();
        var databases = Enumerable.Range(0, 30).Select(week => new RetentionCandidate($"db-{week}", BackupKind.Database, "db", Now.AddDays(-1 - (week * 7)), false)).ToList();

        var decisions = RetentionPlanner.Plan(logs.Concat(databases), RetentionPolicy.WeeklyManualBackups, Now, new RetentionSettings().KindPolicies());

        Assert.Equal(90, decisions.Count);
        var kept = decisions.Where(d => d.Action == RetentionAction.Keep).Select(d => d.Id).ToHashSet();
        Assert.All(logs.Take(53), c => Assert.Contains(c.Id, kept));
        Assert.All(logs.Skip(53), c => Assert.DoesNotContain(c.Id, kept));
        Assert.Contains(databases, c => !kept.Contains(c.Id));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string AddSet(BackupRepository repository, BackupKind kind, DateTimeOffset started)
    {
        var pending = repository.BeginSet(kind, started);
        object contents = kind == BackupKind.Log ? new LogContents { RangeStartUtc = started.AddDays(-7), RangeEndUtc = started } : new DatabaseContents();
        return pending.Complete(new BackupManifest { Contents = contents, CompletedUtc = started.AddMinutes(1) }).Id;
    }
}
