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

    [Fact]
    public async Task The_one_pass_measurement_gives_the_numbers_of_separate_count_fingerprint_and_newest_queries()
    {
        var edge = "edge_" + Guid.NewGuid().ToString("N")[..8];
        fixture.Server.CreateDatabase(edge);
        fixture.Server.ExecuteSql(edge, """"
            CREATE TYPE mood AS ENUM ('calm', 'hot');
            CREATE TABLE legacy (id int, payload json, location point, feeling mood, noted timestamp, "odd ""name""" text);
            INSERT INTO legacy SELECT g, json_build_object('n', g), point(g, -g), 'hot', CASE WHEN g % 3 > 0 THEN now() - g * interval '1 h' END, NULL
              FROM generate_series(1, 400) g;
            CREATE TABLE empty (id int, created_at timestamptz);
            CREATE TABLE undated (id bigint, body text);
            INSERT INTO undated SELECT g, repeat('x', g % 50) FROM generate_series(1, 300) g;
            CREATE TABLE dropped (id int, gone text, created_at timestamptz DEFAULT now());
            INSERT INTO dropped (id, gone) SELECT g, 'g' FROM generate_series(1, 50) g;
            ALTER TABLE dropped DROP COLUMN gone;
            """");

        var compared = 0;
        foreach (var database in new[] { SampleDatabaseFixture.Database, edge })
        {
            var builder = new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString(database));
            await using var connection = await DatabaseSession.OpenAsync(builder, default);
            foreach (var table in await TableMeasurement.ListTablesAsync(connection, [], default))
            {
                Assert.Equal(await SeparateQueriesAsync(connection, table), await OneRowAsync(connection, TableMeasurement.MeasurementSql(table, fingerprint: true)));
                var unfingerprinted = await OneRowAsync(connection, TableMeasurement.MeasurementSql(table, fingerprint: false));
                Assert.Equal((await SeparateQueriesAsync(connection, table)) with { Sum0 = null, Sum1 = null }, unfingerprinted);
                compared++;
            }
        }

        Assert.True(compared >= 15, $"only {compared} tables compared");
    }

    private sealed record RawMeasurement(long Count, string? Sum0, string? Sum1, DateTime? Newest);

    private static async Task<RawMeasurement> OneRowAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new RawMeasurement(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTime>(3));
    }

    /// <summary>The r1 fingerprint's definition, one query per number: each row's two hashes summed as numeric.</summary>
    private static async Task<RawMeasurement> SeparateQueriesAsync(NpgsqlConnection connection, TableMeasurement.TableRef table)
    {
        var row = "ROW(" + string.Join(", ", table.Columns.Select(c => "t." + TableMeasurement.Quote(c.Name) + (c.HashesByValue ? "" : "::text"))) + ")";
        var count = await OneValueAsync(connection, $"SELECT count(*) FROM ONLY {table.Sql}");
        var sum0 = await OneValueAsync(connection, $"SELECT coalesce(sum(hash_record_extended({row}, 0)::numeric), 0)::text FROM ONLY {table.Sql} AS t");
        var sum1 = await OneValueAsync(connection, $"SELECT coalesce(sum(hash_record_extended({row}, 1)::numeric), 0)::text FROM ONLY {table.Sql} AS t");
        var newest = table.TimestampColumn is null ? null
            : await OneValueAsync(connection, $"SELECT max({TableMeasurement.Quote(table.TimestampColumn)})::timestamptz FROM ONLY {table.Sql}");
        return new RawMeasurement((long)count!, (string?)sum0, (string?)sum1, newest is DBNull ? null : (DateTime?)newest);
    }

    private static async Task<object?> OneValueAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private async Task<string?> FingerprintAsync(string database, string table)
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString(database));
        await using var connection = await DatabaseSession.OpenAsync(builder, default);
        var tables = await TableMeasurement.ListTablesAsync(connection, [], default);
        return (await TableMeasurement.MeasureAsync(connection, tables.Single(t => t.Name == table), fingerprint: true, default)).Fingerprint;
    }
}
