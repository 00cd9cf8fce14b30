using System.Globalization;
using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.Sandbox;

/// <summary>One server with the small sample database, shared by <see cref="SampleDatabaseTests"/>.</summary>
public sealed class SmallSampleFixture : IAsyncLifetime
{
    public const string Database = "hotmess";

    public LocalPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await LocalPostgres.StartAsync();
        await SampleDatabase.CreateAsync(Server, Database, SampleSize.Small);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public string Sql(string sql) => Server.ExecuteSql(Database, sql);

    public long Count(string sql) => long.Parse(Sql(sql), CultureInfo.InvariantCulture);
}

public sealed class SampleDatabaseTests(SmallSampleFixture fixture) : IClassFixture<SmallSampleFixture>
{
    [Fact]
    public void EveryTableHoldsTheRowCountItsSizePromises()
    {
        foreach (var (table, expected) in SampleSize.Small.RowCounts)
        {
            var (schema, name) = (table[..table.IndexOf('.')], table[(table.IndexOf('.') + 1)..]);
            var actual = fixture.Count($"SELECT count(*) FROM {SqlText.Identifier(schema)}.{SqlText.Identifier(name)}");
            Assert.True(expected > 0, table);
            Assert.True(expected == actual, $"{table}: expected {expected} rows, found {actual}");
        }
    }

    [Fact]
    public void CriticalTablesHaveRowLevelSecurityAndPoliciesUsingAuthUid()
    {
        Assert.Equal(["Beacon", "User", "gdpr_consents", "marketplace_order", "message", "support_tickets"],
            SampleDatabase.CriticalTables.Order(StringComparer.Ordinal));
        foreach (var table in SampleDatabase.CriticalTables)
        {
            var literal = SqlText.Literal(table);
            Assert.Equal("t", fixture.Sql($"SELECT relrowsecurity FROM pg_class WHERE oid = ('public.' || quote_ident({literal}))::regclass"));
            Assert.True(fixture.Count($"SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND tablename = {literal}") > 0, table);
        }

        Assert.True(fixture.Count("SELECT count(*) FROM pg_policies WHERE qual LIKE '%auth.uid()%' OR with_check LIKE '%auth.uid()%'") >= 5);
    }

    [Fact]
    public void RowLevelSecurityLimitsAnAuthenticatedUserToTheirOwnMessages()
    {
        var user = fixture.Sql("SELECT sender_id FROM message ORDER BY created_at DESC LIMIT 1");
        var own = fixture.Count($"SELECT count(*) FROM message WHERE {SqlText.Literal(user)} IN (sender_id::text, recipient_id::text)");

        var visible = fixture.Sql($"""
            BEGIN;
            SET LOCAL ROLE authenticated;
            SELECT set_config('request.jwt.claim.sub', {SqlText.Literal(user)}, true);
            SELECT count(*) FROM message;
            ROLLBACK;
            """);

        Assert.InRange(own, 1, SampleSize.Small.Messages - 1);
        Assert.Equal($"{user}\n{own}", visible);
    }

    [Fact]
    public void SupabaseRolesExistWithoutLogin()
    {
        var roles = fixture.Sql("""
            SELECT rolname || ':' || rolcanlogin || ':' || rolbypassrls FROM pg_roles
            WHERE rolname IN ('anon', 'authenticated', 'service_role') ORDER BY rolname
            """);

        Assert.Equal("anon:false:false\nauthenticated:false:false\nservice_role:false:true", roles);
        Assert.Equal("t|t|f", fixture.Sql("""
            SELECT has_table_privilege('authenticated', 'public.message', 'INSERT'),
                   has_table_privilege('anon', 'public."User"', 'SELECT'),
                   has_table_privilege('anon', 'public.message', 'INSERT')
            """));
    }

    [Fact]
    public void ForeignKeysTieProfilesMessagesAndOrdersTogether()
    {
        var keys = fixture.Sql("""
            SELECT conrelid::regclass || ' -> ' || confrelid::regclass FROM pg_constraint
            WHERE contype = 'f' ORDER BY 1
            """).Split('\n');

        Assert.Contains("\"User\" -> auth.users", keys);
        Assert.Contains("message -> \"User\"", keys);
        Assert.Contains("marketplace_order -> \"User\"", keys);
        Assert.Contains("marketplace_order -> product", keys);
        Assert.Contains("gdpr_consents -> \"User\"", keys);
        Assert.Equal(0, fixture.Count("SELECT count(*) FROM message m LEFT JOIN \"User\" u ON u.id = m.sender_id WHERE u.id IS NULL"));
    }

    [Fact]
    public void GeneratedAndIdentityColumnsAndEnumsArePresent()
    {
        Assert.Equal("s", fixture.Sql("SELECT attgenerated FROM pg_attribute WHERE attrelid = 'public.marketplace_order'::regclass AND attname = 'total_amount'"));
        Assert.Equal(0, fixture.Count("SELECT count(*) FROM marketplace_order WHERE total_amount <> unit_price * quantity"));
        Assert.Equal("a", fixture.Sql("SELECT attidentity FROM pg_attribute WHERE attrelid = 'public.analytics_event'::regclass AND attname = 'id'"));
        Assert.Equal("d", fixture.Sql("SELECT attidentity FROM pg_attribute WHERE attrelid = 'public.support_tickets'::regclass AND attname = 'ticket_number'"));
        Assert.Equal("beacon_kind\norder_status\nticket_status",
            fixture.Sql("SELECT typname FROM pg_type WHERE typtype = 'e' AND typnamespace = 'public'::regnamespace ORDER BY 1"));
    }

    [Fact]
    public void TriggerViewAndTimestamplessTableArePresent()
    {
        var touched = fixture.Sql("""
            BEGIN;
            UPDATE "User" SET bio = 'changed' WHERE username = 'user_1';
            SELECT updated_at = now() FROM "User" WHERE username = 'user_1';
            ROLLBACK;
            """);

        Assert.Equal("t", touched);
        Assert.True(fixture.Count("SELECT count(*) FROM public.active_beacons") > 0);
        Assert.Equal(0, fixture.Count("""
            SELECT count(*) FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'app_setting' AND data_type LIKE 'timestamp%'
            """));
    }

    [Fact]
    public void DataIsRecentAndVaried()
    {
        foreach (var table in new[] { "\"User\"", "\"Beacon\"", "message", "marketplace_order", "support_tickets", "gdpr_consents" })
        {
            Assert.Equal("t", fixture.Sql($"SELECT max(created_at) > now() - interval '1 hour' AND min(created_at) > now() - interval '60 days' FROM {table}"));
        }

        Assert.True(fixture.Count("SELECT count(*) FROM \"User\" WHERE bio LIKE '%🌈%'") > 0);
        Assert.True(fixture.Count("SELECT count(*) FROM \"User\" WHERE bio IS NULL") > 0);
        Assert.True(fixture.Count("SELECT count(*) FROM \"User\" WHERE interests = '{}'") > 0);
        Assert.True(fixture.Count("SELECT count(*) FROM product WHERE length(thumbnail) > 8") > 0);
        Assert.True(fixture.Count("SELECT count(*) FROM message WHERE attachments IS NOT NULL") > 0);
    }

    [Fact]
    public async Task ASecondSampleInTheSameClusterReusesTheRolesAndHasTheSameIds()
    {
        var second = "hotmess_" + Guid.NewGuid().ToString("N")[..8];
        await SampleDatabase.CreateAsync(fixture.Server, second, SampleSize.Small);
        try
        {
            const string fingerprint = "SELECT md5(string_agg(id::text, ',' ORDER BY id)) FROM message";
            Assert.Equal(fixture.Sql(fingerprint), fixture.Server.ExecuteSql(second, fingerprint));
        }
        finally
        {
            await fixture.Server.DropDatabaseAsync(second);
        }
    }

    [Fact]
    public async Task CreatingOverAnExistingDatabaseFails()
    {
        var ex = await Assert.ThrowsAsync<PostgresCommandException>(
            () => SampleDatabase.CreateAsync(fixture.Server, SmallSampleFixture.Database, SampleSize.Small));

        Assert.Contains("already exists", ex.Message);
    }

    [Fact]
    public async Task FromMegabytesLandsNearTheRequestedDatabaseSize()
    {
        var database = "sized_" + Guid.NewGuid().ToString("N")[..8];
        await SampleDatabase.CreateAsync(fixture.Server, database, SampleSize.FromMegabytes(30));
        try
        {
            var megabytes = double.Parse(
                fixture.Server.ExecuteSql(database, $"SELECT pg_database_size({SqlText.Literal(database)}) / 1048576.0"),
                CultureInfo.InvariantCulture);
            Assert.InRange(megabytes, 30 * 0.75, 30 * 1.25);
        }
        finally
        {
            await fixture.Server.DropDatabaseAsync(database);
        }
    }
}
