using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.Database;

/// <summary>
/// A source cluster with the sample database plus what a real project holds beyond it (Storage rows, identities, a
/// custom role, a reporting schema, a bucket policy, a trigger on auth.users), backed up once; and a second cluster
/// shaped like hosted Supabase, where each test gets a fresh project database.
/// </summary>
public sealed class SupabaseTargetFixture : IAsyncLifetime
{
    public const string SourceDatabase = "hotmess";

    public LocalPostgres Source { get; private set; } = null!;

    public LocalPostgres Target { get; private set; } = null!;

    public BackupSet Set { get; private set; } = null!;

    /// <summary>The set restored once into a fresh project (most tests read what it did); its log too.</summary>
    public (string Target, DatabaseRestoreResult Result, Support.CollectingLog Log) Restored { get; private set; }

    public string WorkFolder { get; } = Directory.CreateTempSubdirectory("hotmess-supabase-tests-").FullName;

    public async Task InitializeAsync()
    {
        var source = LocalPostgres.StartAsync();
        var target = LocalPostgres.StartAsync();
        Source = await source;
        Target = await target;
        await SampleDatabase.CreateAsync(Source, SourceDatabase, SampleSize.Small, CancellationToken.None);
        await SupabaseTarget.AddProjectObjectsAsync(Source, SourceDatabase);
        await SupabaseTarget.PrepareClusterAsync(Target);
        Set = await DatabaseBackupEngine.BackupAsync(new DatabaseBackupRequest
        {
            ConnectionString = Source.ConnectionString(SourceDatabase),
            Repository = Path.Combine(WorkFolder, "repository"),
            CriticalTables = SampleDatabase.CriticalTables,
        }, NullOperationLog.Instance, default);
        Restored = await RestoreIntoNewProjectAsync();
    }

    /// <summary>Restores the set into a new project database, letting the restore tell what the target is unless <paramref name="kind"/> says.</summary>
    public async Task<(string Target, DatabaseRestoreResult Result, Support.CollectingLog Log)> RestoreIntoNewProjectAsync(
        DatabaseTargetKind kind = DatabaseTargetKind.Auto)
    {
        var target = await NewProjectAsync();
        var log = new Support.CollectingLog();
        var result = await DatabaseRestoreEngine.RestoreAsync(new DatabaseRestoreRequest { Set = Set, TargetConnectionString = target, TargetKind = kind },
            log, CancellationToken.None);
        return (target, result, log);
    }

    public async Task DisposeAsync()
    {
        await Source.DisposeAsync();
        await Target.DisposeAsync();
        Directory.Delete(WorkFolder, recursive: true);
    }

    /// <summary>A fresh project database on the Supabase-shaped cluster; its connection string logs in as postgres.</summary>
    public async Task<string> NewProjectAsync()
    {
        var name = "project_" + Guid.NewGuid().ToString("N")[..8];
        await SupabaseTarget.CreateProjectDatabaseAsync(Target, name);
        return Target.ConnectionString(name);
    }

    /// <summary>Reads the target as supabase_admin, who sees everything.</summary>
    public Task<string> QueryAsync(string connectionString, string sql) =>
        SupabaseTarget.ExecuteAsAdminAsync(Target, new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!, sql);

    public Task<string> QuerySourceAsync(string sql) => Source.ExecuteSqlAsync(SourceDatabase, sql);
}
