using Hotmess.Recovery.Common;
using Hotmess.Recovery.DataRetention;

namespace Hotmess.Recovery.Tests.DataRetention;

[Collection(RetentionDatabaseCollection.Name)]
public sealed class DataRetentionCatalogTests(RetentionDatabaseFixture fixture)
{
    // A valid first rule: if checking were not done before running, its rows would be gone when the second rule fails.
    private const string FirstRule = """{ "name": "messages", "table": "public.message", "action": "delete", "due": "true" }""";

    [Fact]
    public async Task RuleNamingAMissingTableIsRefusedBeforeAnythingIsDeletedNamingIt()
    {
        var failure = await RefusedAsync($$"""{ "rules": [ {{FirstRule}}, { "name": "ghosts", "table": "public.no_such_table", "action": "delete", "due": "true" } ] }""");

        Assert.Equal("RetentionTableNotFound", failure.ErrorId);
        Assert.Contains("public.no_such_table", failure.Message, StringComparison.Ordinal);
        Assert.Contains("ghosts", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RuleWhoseDueNamesAMissingColumnIsRefusedBeforeAnythingIsDeletedNamingIt()
    {
        var failure = await RefusedAsync($$"""{ "rules": [ {{FirstRule}}, { "name": "tickets", "table": "public.support_tickets", "action": "delete", "due": "closed_on < now()" } ] }""");

        Assert.Equal("RetentionColumnNotFound", failure.ErrorId);
        Assert.Contains("closed_on", failure.Message, StringComparison.Ordinal);
        Assert.Contains("tickets", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnonymizeRuleSettingAMissingColumnIsRefusedNamingIt()
    {
        var failure = await RefusedAsync($$"""{ "rules": [ {{FirstRule}}, { "name": "events", "table": "public.\"Beacon\"", "action": "anonymize", "due": "true", "set": { "creator": "NULL" } } ] }""");

        Assert.Equal("RetentionColumnNotFound", failure.ErrorId);
        Assert.Contains("'creator'", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HoldNamingAMissingTableIsRefusedNamingIt()
    {
        var failure = await RefusedAsync($$"""{ "rules": [ {{FirstRule}}, { "name": "orders", "table": "public.marketplace_order", "action": "delete", "due": "true", "hold": "buyer_id IN (SELECT user_id FROM public.legal_holds)" } ] }""");

        Assert.Equal("RetentionTableNotFound", failure.ErrorId);
        Assert.Contains("legal_holds", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableNamesAreQuotedSoOddNamesWorkAndAnonymizeWalksTheKeyInItsOwnOrder()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        fixture.Sql(database, """
            CREATE TABLE public."Odd ""name""; table" (id int PRIMARY KEY, "Created At" timestamptz NOT NULL, "note" text);
            INSERT INTO public."Odd ""name""; table" SELECT i, now() - make_interval(days => i), 'n' || i FROM generate_series(1, 10) AS i;
            """);
        var policy = DataRetentionPolicy.Parse("""
            { "rules": [ { "name": "odd", "table": "public.\"Odd \"\"name\"\"; table\"", "action": "anonymize",
                           "due": "\"Created At\" < now() - interval '5 days 12 hours'", "set": { "note": "'gone'" }, "time": "\"Created At\"" } ] }
            """, "test");

        // Batches of two walk the integer key in its own order (the rows stay due, so only the key moves the run on).
        var run = await DataRetentionEngine.RunAsync(new DataRetentionRequest { ConnectionString = fixture.ConnectionString(database), Policy = policy, BatchSize = 2 }, NullOperationLog.Instance, default);

        Assert.Equal(5, run.Results.Single().Rows);
        Assert.Equal(3, run.Results.Single().Batches);
        Assert.Equal("6,7,8,9,10", fixture.Sql(database, """SELECT string_agg(id::text, ',' ORDER BY id) FROM public."Odd ""name""; table" WHERE note = 'gone'"""));
    }

    [Fact]
    public async Task GetDueListsEveryRuleInRunOrderWithTheRowsDueNow()
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        var before = fixture.TableCounts(database);

        var due = await DataRetentionEngine.GetDueAsync(fixture.ConnectionString(database), DataRetentionPolicy.Default, NullOperationLog.Instance, default);

        Assert.Equal(before, fixture.TableCounts(database));
        var order = due.Select(d => d.Rule).ToList();
        Assert.True(order.IndexOf("deleted-account-profiles") > order.IndexOf("deleted-account-messages"));
        Assert.True(order.IndexOf("deleted-account-profiles") > order.IndexOf("deleted-account-events"));
        Assert.Equal(20, due.Single(d => d.Rule == "deleted-account-messages").RowsDue);
        Assert.Equal(2, due.Single(d => d.Rule == "support-tickets-3-years").Held);
    }

    private async Task<HotmessException> RefusedAsync(string json)
    {
        var database = await fixture.NewRetentionDatabaseAsync();
        var messages = fixture.Count(database, "SELECT count(*) FROM public.message");
        var policy = DataRetentionPolicy.Parse(json, "test");

        var failure = await Assert.ThrowsAsync<HotmessException>(() =>
            DataRetentionEngine.RunAsync(new DataRetentionRequest { ConnectionString = fixture.ConnectionString(database), Policy = policy }, NullOperationLog.Instance, default));

        Assert.Equal(messages, fixture.Count(database, "SELECT count(*) FROM public.message"));
        return failure;
    }
}
