using Hotmess.Recovery.Database;
using Npgsql;

namespace Hotmess.Recovery.Tests.Database;

[Collection(SampleDatabaseCollection.Name)]
public sealed class TableMeasurementTests(SampleDatabaseFixture fixture)
{
    [Fact]
    public async Task The_fingerprint_follows_the_content_and_ignores_the_row_order()
    {
        var database = "fingerprint_" + Guid.NewGuid().ToString("N")[..8];
        fixture.Server.CreateDatabase(database);
        fixture.Server.ExecuteSql(database, """
            CREATE TYPE status AS ENUM ('open', 'closed');
            CREATE TABLE a (id int, body text, state status, tags text[], doc jsonb);
            CREATE TABLE b (LIKE a);
            INSERT INTO a SELECT g, 'row ' || g, 'open', ARRAY['x', g::text], jsonb_build_object('g', g) FROM generate_series(1, 300) g;
            INSERT INTO b SELECT * FROM a ORDER BY id DESC;
            """);

        Assert.Equal(await FingerprintAsync(database, "a"), await FingerprintAsync(database, "b"));

        fixture.Server.ExecuteSql(database, "UPDATE b SET state = 'closed' WHERE id = 150");
        Assert.NotEqual(await FingerprintAsync(database, "a"), await FingerprintAsync(database, "b"));
    }

    private async Task<string?> FingerprintAsync(string database, string table)
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString(database));
        await using var connection = await DatabaseSession.OpenAsync(builder, default);
        var tables = await TableMeasurement.ListTablesAsync(connection, [], default);
        return (await TableMeasurement.MeasureAsync(connection, tables.Single(t => t.Name == table), fingerprint: true, default)).Fingerprint;
    }
}
