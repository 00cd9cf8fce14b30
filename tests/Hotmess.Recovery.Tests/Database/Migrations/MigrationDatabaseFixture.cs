using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.Database.Migrations;

/// <summary>One real PostgreSQL server; each test gets its own empty database and migrations folder.</summary>
public sealed class MigrationDatabaseFixture : IAsyncLifetime
{
    public LocalPostgres Server { get; private set; } = null!;

    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("hotmess-migration-tests-").FullName;

    public async Task InitializeAsync() => Server = await LocalPostgres.StartAsync();

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(WorkFolder, recursive: true);
    }

    public async Task<string> NewDatabaseAsync()
    {
        var name = "migrations_" + Guid.NewGuid().ToString("N")[..8];
        await Server.CreateDatabaseAsync(name);
        return name;
    }

    public string NewFolder()
    {
        var folder = Path.Combine(WorkFolder, "migrations-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public string Sql(string database, string sql) => Server.ExecuteSql(database, sql).Trim();
}

[CollectionDefinition(Name)]
public sealed class MigrationDatabaseCollection : ICollectionFixture<MigrationDatabaseFixture>
{
    public const string Name = "Migration database";
}
