using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Tests.Database;
using Hotmess.Recovery.Verification;

namespace Hotmess.Recovery.Tests.Verification;

/// <summary>The integrity checks of Procedure 1 against a real restored copy of the sample database.</summary>
[Collection(SampleDatabaseCollection.Name)]
public sealed class DatabaseIntegrityEngineTests(SampleDatabaseFixture fixture) : IAsyncLifetime
{
    private static readonly string[] Critical = ["public.User", "public.marketplace_order"];

    private BackupSet _set = null!;
    private string _restored = null!;

    public async Task InitializeAsync()
    {
        _set = await fixture.BackUpSampleAsync(["User", "Beacon", "message", "marketplace_order", "support_tickets", "gdpr_consents"]);
        _restored = fixture.ScratchConnectionString();
        await DatabaseRestoreEngine.RestoreAsync(new DatabaseRestoreRequest { Set = _set, TargetConnectionString = _restored }, NullOperationLog.Instance, default);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string Sql(string sql) => fixture.Server.ExecuteSql(SampleDatabaseFixture.DatabaseName(_restored), sql).Trim();

    private Task<List<DatabaseIntegrityCheck>> CheckAsync(DatabaseIntegrityRequest request) =>
        DatabaseIntegrityEngine.CheckAsync(request, NullOperationLog.Instance, default);

    [Fact]
    public async Task A_copy_restored_from_the_set_passes_every_row_count_fingerprint_and_its_newest_transaction()
    {
        var checks = await CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, Set = _set, TransactionTable = "public.marketplace_order" });

        Assert.All(checks, c => Assert.True(c.Passed, c.Detail));
        Assert.Equal(_set.Manifest.Database!.Tables.Count, checks.Count(c => c.Check == DatabaseIntegrityEngine.RowCount));
        Assert.Equal(6, checks.Count(c => c.Check == DatabaseIntegrityEngine.Fingerprint));
        var recent = Assert.Single(checks, c => c.Check == DatabaseIntegrityEngine.RecentTransactions);
        Assert.Equal("public.marketplace_order.updated_at", recent.Table);
        Assert.Contains($"as in {_set.Id}", recent.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_changed_row_fails_its_tables_fingerprint_while_the_row_counts_still_match()
    {
        Sql("SET session_replication_role = replica; UPDATE public.message SET body = body || ' (edited)' WHERE id = (SELECT id FROM public.message ORDER BY id LIMIT 1)");

        var checks = await CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, Set = _set });

        var failed = Assert.Single(checks, c => !c.Passed);
        Assert.Equal((DatabaseIntegrityEngine.Fingerprint, "public.message"), (failed.Check, failed.Table));
        Assert.Contains($"differs in content from {_set.Id}", failed.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(checks, c => c.Check == DatabaseIntegrityEngine.RecentTransactions);
    }

    [Fact]
    public async Task Losing_the_newest_order_fails_recent_transactions_and_the_row_count_against_the_set()
    {
        Sql("SET session_replication_role = replica; DELETE FROM public.marketplace_order WHERE updated_at = (SELECT max(updated_at) FROM public.marketplace_order)");

        var checks = await CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, Set = _set, TransactionTable = "public.marketplace_order" });

        var recent = Assert.Single(checks, c => c.Check == DatabaseIntegrityEngine.RecentTransactions);
        Assert.False(recent.Passed);
        Assert.Equal(_set.Manifest.Database!.Tables.Single(t => t.QualifiedName == "public.marketplace_order").NewestTimestamp!.Value.ToString("u"), recent.Expected);
        Assert.Contains(checks, c => c is { Check: DatabaseIntegrityEngine.RowCount, Table: "public.marketplace_order", Passed: false });
    }

    [Fact]
    public async Task A_table_the_set_does_not_hold_fails_as_one_the_restore_did_not_bring()
    {
        Sql("CREATE TABLE public.stray (id int); INSERT INTO public.stray VALUES (1)");

        var checks = await CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, Set = _set });

        var stray = Assert.Single(checks, c => !c.Passed);
        Assert.Equal(("public.stray", "table absent from the set", "1"), (stray.Table, stray.Expected, stray.Actual));
    }

    [Fact]
    public async Task A_table_the_set_does_not_hold_passes_as_new_when_new_tables_are_allowed_and_the_set_tables_are_still_compared()
    {
        Sql("CREATE TABLE public.stray (id int); INSERT INTO public.stray VALUES (1); SET session_replication_role = replica; DELETE FROM public.marketplace_order WHERE id IN (SELECT id FROM public.marketplace_order ORDER BY id LIMIT 1)");

        var checks = await CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, Set = _set, AllowNewTables = true });

        var stray = Assert.Single(checks, c => c.Table == "public.stray");
        Assert.True(stray.Passed);
        Assert.Contains("new since the set", stray.Detail);
        Assert.Contains(checks, c => c is { Check: DatabaseIntegrityEngine.RowCount, Table: "public.marketplace_order", Passed: false });
    }

    [Fact]
    public async Task Critical_tables_with_fewer_rows_than_the_newest_own_evidence_fail_naming_it_and_the_others_pass()
    {
        Sql("SET session_replication_role = replica; DELETE FROM public.marketplace_order WHERE id IN (SELECT id FROM public.marketplace_order ORDER BY id LIMIT 3)");

        var checks = await CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, Evidence = _set, CriticalTables = Critical });

        var orders = Assert.Single(checks, c => c.Table == "public.marketplace_order");
        var expected = _set.Manifest.Database!.Tables.Single(t => t.QualifiedName == "public.marketplace_order").RowCount;
        Assert.False(orders.Passed);
        Assert.Equal(($">= {expected}", (expected - 3).ToString()), (orders.Expected, orders.Actual));
        Assert.StartsWith($"public.marketplace_order has 3 rows fewer than {_set.Id}", orders.Detail, StringComparison.Ordinal);
        Assert.True(Assert.Single(checks, c => c.Table == "public.User").Passed);
        Assert.DoesNotContain(checks, c => c.Check == DatabaseIntegrityEngine.Fingerprint);
    }

    [Fact]
    public async Task Recent_transactions_must_be_newer_than_the_restore_point_minus_the_rpo()
    {
        var newest = DateTimeOffset.Parse(Sql("SELECT to_char(max(updated_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM public.marketplace_order"),
            System.Globalization.CultureInfo.InvariantCulture);
        DatabaseIntegrityRequest At(DateTimeOffset point) => new()
        {
            ConnectionString = _restored, Evidence = _set, TransactionTable = "public.marketplace_order", RestorePoint = point,
            RecoveryPointObjective = TimeSpan.FromHours(24),
        };

        var inside = Assert.Single(await CheckAsync(At(newest.AddHours(23))));
        var outside = Assert.Single(await CheckAsync(At(newest.AddHours(25))));

        Assert.True(inside.Passed, inside.Detail);
        Assert.StartsWith("newest public.marketplace_order.updated_at ", inside.Detail, StringComparison.Ordinal);
        Assert.False(outside.Passed);
        Assert.StartsWith($"no transaction in public.marketplace_order after {newest.AddHours(1):u}", outside.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_own_evidence_a_critical_table_passes_when_present_and_fails_when_missing()
    {
        var checks = await CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, CriticalTables = ["User", "public.payments"] });

        Assert.Equal(("public.User", true, "present"), (checks[0].Table, checks[0].Passed, checks[0].Expected));
        Assert.EndsWith("(no own evidence)", checks[0].Detail, StringComparison.Ordinal);
        Assert.Equal(("public.payments", false, "table missing"), (checks[1].Table, checks[1].Passed, checks[1].Actual));
    }

    [Fact]
    public void The_newest_evidence_is_the_newest_complete_database_set_taken_at_or_before_the_point()
    {
        BackupSet Set(string id, BackupKind kind, string started) => new("/r", "/r/" + id, new BackupManifest
        {
            Id = id, Kind = kind, StartedUtc = DateTimeOffset.Parse(started, System.Globalization.CultureInfo.InvariantCulture),
            Database = kind == BackupKind.Database ? new DatabaseContents() : null,
        });
        var sets = new[]
        {
            Set("old", BackupKind.Database, "2026-11-28T02:00:00Z"), Set("newer", BackupKind.Database, "2026-11-29T02:00:00Z"),
            Set("storage", BackupKind.Storage, "2026-11-29T03:00:00Z"), Set("after", BackupKind.Database, "2026-11-30T02:00:00Z"),
        };

        Assert.Equal("newer", DatabaseIntegrityEngine.NewestEvidence(sets, DateTimeOffset.Parse("2026-11-29T15:00:00Z", System.Globalization.CultureInfo.InvariantCulture))?.Id);
        Assert.Null(DatabaseIntegrityEngine.NewestEvidence(sets, DateTimeOffset.Parse("2026-11-27T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public async Task A_storage_set_is_refused_as_what_a_database_is_checked_against()
    {
        var storage = new BackupSet("/r", "/r/s", new BackupManifest { Id = "s", Kind = BackupKind.Storage });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => CheckAsync(new DatabaseIntegrityRequest { ConnectionString = _restored, Set = storage }));

        Assert.Equal("BackupKindMismatch", ex.ErrorId);
    }
}
