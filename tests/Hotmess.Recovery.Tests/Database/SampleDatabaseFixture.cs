using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Sandbox;

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

    public string ScratchConnectionString() => Server.ConnectionString("scratch_" + Guid.NewGuid().ToString("N")[..8]);
}

[CollectionDefinition(Name)]
public sealed class SampleDatabaseCollection : ICollectionFixture<SampleDatabaseFixture>
{
    public const string Name = "Sample database";
}
