using System.Globalization;
using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.DataRetention;

/// <summary>One real PostgreSQL server; each test gets its own retention sample database on it.</summary>
public sealed class RetentionDatabaseFixture : IAsyncLifetime
{
    public LocalPostgres Server { get; private set; } = null!;

    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("hotmess-retention-tests-").FullName;

    public async Task InitializeAsync() => Server = await LocalPostgres.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(WorkFolder, recursive: true);
    }

    /// <summary>A new database: the small sample plus the rows the default retention policy acts on.</summary>
    public async Task<string> NewRetentionDatabaseAsync()
    {
        var name = "retention_" + Guid.NewGuid().ToString("N")[..8];
        await RetentionSample.CreateAsync(Server, name);
        return name;
    }

    public string ConnectionString(string database) => Server.ConnectionString(database);

    public string Sql(string database, string sql) => Server.ExecuteSql(database, sql);

    public long Count(string database, string sql) => long.Parse(Sql(database, sql), CultureInfo.InvariantCulture);

    public string NewFolder(string name = "repository") => Path.Combine(WorkFolder, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Rows per table, to show a run changed nothing.</summary>
    public string TableCounts(string database) => Sql(database, """
        SELECT string_agg(format('%s=%s', t, (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %s', t), false, true, '')))[1]), ',' ORDER BY t)
        FROM (SELECT c.oid::regclass::text AS t FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE c.relkind = 'r' AND n.nspname IN ('public', 'auth')) AS tables
        """);

    /// <summary>Rows whose foreign key points at no row, over every single-column foreign key of the database.</summary>
    public long OrphanRows(string database) => Count(database, """
        SELECT coalesce(sum((xpath('/row/c/text()', query_to_xml(format(
                   'SELECT count(*) AS c FROM %s child WHERE child.%I IS NOT NULL AND NOT EXISTS (SELECT 1 FROM %s parent WHERE parent.%I = child.%I)',
                   con.conrelid::regclass, ca.attname, con.confrelid::regclass, pa.attname, ca.attname), false, true, '')))[1]::text::bigint), 0)
        FROM pg_constraint con
        JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = con.conkey[1]
        JOIN pg_attribute pa ON pa.attrelid = con.confrelid AND pa.attnum = con.confkey[1]
        WHERE con.contype = 'f' AND array_length(con.conkey, 1) = 1
        """);
}

[CollectionDefinition(Name)]
public sealed class RetentionDatabaseCollection : ICollectionFixture<RetentionDatabaseFixture>
{
    public const string Name = "Retention database";
}
