using Hotmess.Recovery.Common;
using Hotmess.Recovery.DataRetention;
using Hotmess.Recovery.Sandbox;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.DataRetention;

[Collection(RetentionDatabaseCollection.Name)]
public sealed class DataRetentionEngineTests(RetentionDatabaseFixture fixture)
{
    private static readonly DataRetentionPolicy DefaultPolicy = DataRetentionPolicy.Default;

    [Fact]
    public async Task DefaultPolicyActsOnExactlyTheRowsEachRuleMakesDueAndCountsHeldOnes()
    {
        var database = await fixture.NewRetentionDatabaseAsync();

        var run = await RunAsync(database);

        Assert.Equal(RetentionSample.ExpectedByRule.Keys.Order(StringComparer.Ordinal), run.Results.Select(r => r.Rule).Order(StringComparer.Ordinal));
        foreach (var result in run.Results)
        {
            var (rows, held) = RetentionSample.ExpectedByRule[result.Rule];
            Assert.True(rows == result.Rows, $"{result.Rule}: expected {rows} rows, got {result.Rows}");
            Assert.True(held == result.Held, $"{result.Rule}: expected {held} held, got {result.Held}");
        }
    }

    [Fact]
    public async Task ErasedAccountsAreGoneTheirEventsBelongToDeletedUserAndHeldOrRecentAccountsStay()
    {
        var database = await fixture.NewRetentionDatabaseAsync();

        await RunAsync(database);

        string Account(int i) => $"md5('retention-user:{i}')::uuid";
        Assert.Equal(0, fixture.Count(database, $"SELECT count(*) FROM auth.users WHERE id IN ({Account(1)}, {Account(2)}, {Account(3)}, {Account(4)}, {Account(5)})"));
        Assert.Equal(1, fixture.Count(database, $"SELECT count(*) FROM public.\"User\" WHERE id = {Account(6)}"));
        Assert.Equal(4, fixture.Count(database, $"SELECT count(*) FROM public.message WHERE {Account(6)} IN (sender_id, recipient_id)"));
        Assert.Equal(3, fixture.Count(database, $"SELECT count(*) FROM public.\"User\" WHERE id IN ({Account(7)}, {Account(8)}, {Account(9)})"));
        Assert.Equal(10, fixture.Count(database, "SELECT count(*) FROM public.\"Beacon\" b JOIN public.\"User\" u ON u.id = b.owner_id WHERE u.username = 'deleted_user'"));
        Assert.Equal(2, fixture.Count(database, $"SELECT count(*) FROM public.\"Beacon\" WHERE owner_id = {Account(6)}"));

        // Orders of erased accounts younger than seven years stay, with no buyer: transaction records are kept.
        Assert.Equal(5, fixture.Count(database, "SELECT count(*) FROM public.marketplace_order WHERE stripe_payment_intent LIKE 'pi_retention_%_2' AND buyer_id IS NULL"));
        Assert.Equal(2, fixture.Count(database, "SELECT count(*) FROM public.marketplace_order WHERE created_at < now() - interval '7 years'"));

        // Twelve raw analytics events became daily aggregates that still add up to twelve.
        Assert.Equal(7 * 100 + 21 + 12, fixture.Count(database, "SELECT sum(events) FROM public.analytics_daily"));
        Assert.Equal(0, fixture.Count(database, "SELECT count(*) FROM public.analytics_event WHERE occurred_at < now() - interval '2 years'"));
    }

    [Fact]
    public async Task SecondRunFindsNothingDue()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        await RunAsync(database);
        var before = fixture.TableCounts(database);

        var second = await RunAsync(database);

        Assert.All(second.Results, r => Assert.Equal(0, r.Rows));
        Assert.Equal(before, fixture.TableCounts(database));
        Assert.Equal(RetentionSample.ExpectedByRule["transactions-7-years"].Held, second.Results.Single(r => r.Rule == "transactions-7-years").Held);
    }

    [Fact]
    public async Task WhatIfCountsWhatARunWouldDoAndChangesNothing()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        var before = fixture.TableCounts(database);
        var repository = fixture.NewFolder();
        var log = new CollectingLog();

        var preview = await DataRetentionEngine.RunAsync(Request(database) with { WhatIf = true, Repository = repository }, log, default);

        Assert.Equal(before, fixture.TableCounts(database));
        Assert.False(Directory.Exists(Path.Combine(repository, "retention")));
        Assert.All(preview.Results, r => Assert.True(r.WhatIf));
        foreach (var result in preview.Results)
        {
            Assert.Equal(RetentionSample.ExpectedByRule[result.Rule], (result.Rows, result.Held));
        }

        var messages = preview.Results.Single(r => r.Rule == "deleted-account-messages");
        Assert.NotNull(messages.OldestDueUtc);
        Assert.True(messages.OldestDueUtc < messages.NewestDueUtc);
        Assert.Contains(log.Verbose, v => v.StartsWith("deleted-account-messages: would delete 20 row(s)", StringComparison.Ordinal) && v.Contains("oldest due", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ForeignKeysHoldAfterTheRunAndASmallBatchSizeGivesTheSameCounts()
    {
        var database = await fixture.NewRetentionDatabaseAsync();

        var run = await RunAsync(database, batchSize: 3);

        Assert.Equal(0, fixture.OrphanRows(database));
        var messages = run.Results.Single(r => r.Rule == "deleted-account-messages");
        Assert.Equal(20, messages.Rows);
        Assert.Equal(7, messages.Batches);
        foreach (var result in run.Results)
        {
            Assert.Equal(RetentionSample.ExpectedByRule[result.Rule].Rows, result.Rows);
        }
    }

    [Fact]
    public async Task RuleThatDeletesParentsBeforeTheirChildrenIsStoppedByTheForeignKeyAndNamed()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        var policy = DataRetentionPolicy.Parse("""
            { "rules": [ { "name": "old-products", "table": "public.product", "action": "delete", "due": "true" } ] }
            """, "test");
        var products = fixture.Count(database, "SELECT count(*) FROM public.product");

        var failure = await Assert.ThrowsAsync<HotmessException>(() => DataRetentionEngine.RunAsync(Request(database) with { Policy = policy }, NullOperationLog.Instance, default));

        Assert.Equal("RetentionForeignKeyBlocked", failure.ErrorId);
        Assert.Contains("old-products", failure.Message, StringComparison.Ordinal);
        Assert.Equal(products, fixture.Count(database, "SELECT count(*) FROM public.product"));
    }

    [Fact]
    public async Task InterruptedRunIsResumedByTheNextAndTogetherTheyDoExactlyWhatOneRunDoes()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        var repository = fixture.NewFolder();
        using var stop = new CancellationTokenSource();
        var log = new StopAfterBatches(stop, batches: 2);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DataRetentionEngine.RunAsync(Request(database, batchSize: 3) with { Repository = repository }, log, stop.Token));
        const string ErasableMessages = "SELECT count(*) FROM public.message m JOIN generate_series(1, 5) AS i ON md5('retention-user:' || i)::uuid IN (m.sender_id, m.recipient_id)";
        var leftAfterStop = fixture.Count(database, ErasableMessages);

        var resumed = await DataRetentionEngine.RunAsync(Request(database, batchSize: 3) with { Repository = repository }, NullOperationLog.Instance, default);

        var messages = resumed.Results.Single(r => r.Rule == "deleted-account-messages");
        Assert.Equal(20 - 6, messages.Rows);
        Assert.Equal(20 - 6, leftAfterStop);
        Assert.Equal(0, fixture.Count(database, ErasableMessages));
        foreach (var result in resumed.Results.Where(r => r.Rule != "deleted-account-messages"))
        {
            Assert.Equal(RetentionSample.ExpectedByRule[result.Rule].Rows, result.Rows);
        }

        var records = new DataRetentionAuditLog(repository).GetRecords();
        Assert.Equal([DataRetentionRunState.Interrupted, DataRetentionRunState.Completed], records.Select(r => r.State));
        Assert.Equal(records[0].Id, records[1].Resumes);
        Assert.Equal(0, fixture.OrphanRows(database));
    }

    [Fact]
    public async Task RunKilledMidwayIsMarkedInterruptedAndResumedByTheNextRun()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        var repository = fixture.NewFolder();
        var audit = new DataRetentionAuditLog(Hotmess.Recovery.Repository.BackupRepository.OpenOrCreate(repository).Root);
        audit.Save(new DataRetentionAuditRecord { Id = "20260101T000000Z-killed", State = DataRetentionRunState.Running, StartedUtc = DateTimeOffset.UtcNow.AddMinutes(-5) });

        await DataRetentionEngine.RunAsync(Request(database) with { Repository = repository }, NullOperationLog.Instance, default);

        var records = audit.GetRecords();
        Assert.Equal(DataRetentionRunState.Interrupted, records[0].State);
        Assert.Equal("20260101T000000Z-killed", records[1].Resumes);
    }

    [Fact]
    public async Task AuditRecordHoldsRulesCountsAndTimeRangesButNoPersonalData()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        var repository = fixture.NewFolder();
        var erasedId = fixture.Sql(database, "SELECT md5('retention-user:1')::uuid::text");

        var run = await DataRetentionEngine.RunAsync(Request(database) with { Repository = repository }, NullOperationLog.Instance, default);

        var text = File.ReadAllText(run.AuditRecordPath!);
        var record = Json.Deserialize<DataRetentionAuditRecord>(text);
        Assert.Equal(DataRetentionRunState.Completed, record.State);
        Assert.Equal(20, record.Rules.Single(r => r.Rule == "deleted-account-messages").Rows);
        Assert.NotNull(record.Rules.Single(r => r.Rule == "transactions-7-years").OldestDueUtc);
        Assert.Equal(64, record.PolicySha256.Length);
        Assert.DoesNotContain(erasedId, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("retention1@hotmess.example", text, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Server.Password, text, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(run.AuditRecordPath!));
        }
    }

    [Fact]
    public async Task LockHeldElsewhereMakesBatchesWaitThenFailNamingTheRule()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        await using var other = new Npgsql.NpgsqlConnection(fixture.ConnectionString(database));
        await other.OpenAsync();
        await using var transaction = await other.BeginTransactionAsync();
        await using (var lockRow = new Npgsql.NpgsqlCommand("SELECT 1 FROM public.message WHERE sender_id = md5('retention-user:1')::uuid FOR UPDATE", other, transaction))
        {
            await lockRow.ExecuteNonQueryAsync();
        }

        var log = new CollectingLog();
        var failure = await Assert.ThrowsAsync<HotmessException>(() => DataRetentionEngine.RunAsync(
            Request(database) with { LockTimeout = TimeSpan.FromMilliseconds(50), LockAttempts = 2 }, log, default));

        Assert.Equal("RetentionLockTimeout", failure.ErrorId);
        Assert.Contains("deleted-account-messages", failure.Message, StringComparison.Ordinal);
        Assert.Contains(log.Verbose, v => v.Contains("locked by another session", StringComparison.Ordinal));
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task BatchesShrinkWhenTheyTakeLongerThanTheTargetAndGrowWhenTheyAreQuick()
    {
        var slow = await fixture.NewRetentionDatabaseAsync();
        var quick = await fixture.NewRetentionDatabaseAsync();
        var rows = fixture.Count(slow, "SELECT count(*) FROM public.analytics_event");
        Assert.InRange(rows, 497, 1008);
        var policy = DataRetentionPolicy.Parse("""{ "rules": [ { "name": "all-analytics", "table": "public.analytics_event", "action": "delete", "due": "true" } ] }""", "test");

        // By the first clock every batch takes a second, over the 500 ms target: 16, 8, 4, 2, then one row at a time.
        // By the second no time passes: 16, 32, 64, 128, 256, 512.
        var slowRun = await DataRetentionEngine.RunAsync(Request(slow) with { Policy = policy, Clock = new SecondPerReading() }, NullOperationLog.Instance, default);
        var quickRun = await DataRetentionEngine.RunAsync(Request(quick) with { Policy = policy, Clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider() }, NullOperationLog.Instance, default);

        Assert.Equal(4 + (rows - 30), slowRun.Results.Single().Batches);
        Assert.Equal(6, quickRun.Results.Single().Batches);
        Assert.Equal(rows, slowRun.Results.Single().Rows);
        Assert.Equal(rows, quickRun.Results.Single().Rows);
    }

    private async Task<DataRetentionRun> RunAsync(string database, int batchSize = 1000) =>
        await DataRetentionEngine.RunAsync(Request(database, batchSize), NullOperationLog.Instance, default);

    private DataRetentionRequest Request(string database, int batchSize = 1000) => new()
    {
        ConnectionString = fixture.ConnectionString(database),
        Policy = DefaultPolicy,
        BatchSize = batchSize,
    };

    /// <summary>A clock that moves on a second every time it is read.</summary>
    private sealed class SecondPerReading : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Add(ref _ticks, TimeSpan.TicksPerSecond);
    }

    /// <summary>Stops the run once it has committed a number of batches of its first rule, as Ctrl+C would.</summary>
    private sealed class StopAfterBatches(CancellationTokenSource stop, int batches) : IOperationLog
    {
        private int _seen;

        public void Verbose(string message) { }

        public void Warning(string message) { }

        public void Progress(OperationProgress progress)
        {
            if (progress.ParentActivityId >= 0 && !progress.Completed && Interlocked.Increment(ref _seen) == batches)
            {
                stop.Cancel();
            }
        }
    }
}
