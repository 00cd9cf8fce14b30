using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Sandbox;
using Npgsql;

namespace Hotmess.Recovery.Tests.Database;

/// <summary>One real PostgreSQL server with the sample HOTMESS database, shared by the database tests.</summary>
public sealed class SampleDatabaseFixture : IAsyncLifetime
{
    public const string Database = "hotmess";

    public LocalPostgres Server { get; private set; } = null!;

    public string SourceConnectionString => Server.ConnectionString(Database);

    public async Task InitializeAsync()
    {
        Server = await LocalPostgres.StartAsync();
        await SampleDatabase.CreateAsync(Server, Database, SampleSize.Small, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(WorkFolder, recursive: true);
    }

    /// <summary>Everything the tests write (repositories, copies, fake tools), removed with the server.</summary>
    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("hotmess-tests-").FullName;

    /// <summary>A fresh folder for one test.</summary>
    public string NewFolder(string name = "repository") => Path.Combine(WorkFolder, name + "-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A backup of the sample database into a fresh repository.</summary>
    public Task<BackupSet> BackUpSampleAsync(IReadOnlyList<string>? criticalTables = null) =>
        DatabaseBackupEngine.BackupAsync(new DatabaseBackupRequest
        {
            ConnectionString = SourceConnectionString,
            Repository = NewFolder(),
            CriticalTables = criticalTables ?? [],
        }, NullOperationLog.Instance, default);

    /// <summary>A copy of the set's folder, so a test can damage it without touching the shared set.</summary>
    public BackupSet CopySet(BackupSet set)
    {
        var folder = Path.Combine(NewFolder("copy"), set.Id);
        foreach (var file in Directory.GetFiles(set.Path, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(folder, Path.GetRelativePath(set.Path, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var manifest = Json.Deserialize<BackupManifest>(File.ReadAllText(Path.Combine(folder, "manifest.json")));
        return new BackupSet(set.Repository, folder, manifest);
    }

    public static string DatabaseName(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    public string ScratchConnectionString() => Server.ConnectionString("scratch_" + Guid.NewGuid().ToString("N")[..8]);
}

[CollectionDefinition(Name)]
public sealed class SampleDatabaseCollection : ICollectionFixture<SampleDatabaseFixture>
{
    public const string Name = "Sample database";
}
