using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Tests.Database;

/// <summary>A verification restores only into a database it creates, and drops nothing else.</summary>
[Collection(SampleDatabaseCollection.Name)]
public sealed class ScratchDatabaseSafetyTests(SampleDatabaseFixture fixture) : IAsyncLifetime
{
    private BackupSet _set = null!;

    public async Task InitializeAsync() => _set = await fixture.BackUpSampleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [InlineData("postgres")]
    [InlineData("template0")]
    [InlineData("template1")]
    public async Task Verification_refuses_the_server_databases_and_leaves_them(string database)
    {
        var before = Sql("SELECT count(*) FROM pg_database");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => VerifyAsync(fixture.Server.ConnectionString(database)));

        Assert.Equal("ScratchDatabaseReserved", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Contains(database, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, Sql("SELECT count(*) FROM pg_database"));
        Assert.Equal("1", Sql($"SELECT count(*) FROM pg_database WHERE datname = '{database}'"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verification_refuses_a_connection_string_that_names_no_database(bool uri)
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString()) { Database = null };
        var scratch = uri ? $"postgresql://{builder.Username}:{builder.Password}@{builder.Host}:{builder.Port}" : builder.ConnectionString;

        var ex = await Assert.ThrowsAsync<HotmessException>(() => VerifyAsync(scratch));

        Assert.Equal("ScratchDatabaseMissing", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.DoesNotContain(builder.Password!, ex.Message, StringComparison.Ordinal);
        Assert.Equal("1", Sql("SELECT count(*) FROM pg_database WHERE datname = 'postgres'"));
    }

    [Theory]
    [InlineData("CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql AS 'SELECT 42'", "1 function or procedure")]
    [InlineData("CREATE TYPE public.mood AS ENUM ('ok', 'not ok')", "1 type")]
    [InlineData("SELECT lo_from_bytea(0, 'a large object')", "1 large object")]
    [InlineData("CREATE EXTENSION pgcrypto", "1 extension")]
    [InlineData("CREATE SCHEMA reporting", "1 schema")]
    public async Task Verification_refuses_a_database_that_holds_only_functions_types_large_objects_extensions_or_schemas_and_leaves_it(string sql, string what)
    {
        var scratch = fixture.ScratchConnectionString();
        var name = SampleDatabaseFixture.DatabaseName(scratch);
        fixture.Server.CreateDatabase(name);
        fixture.Server.ExecuteSql(name, sql);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => VerifyAsync(scratch));

        Assert.Equal("TargetNotEmpty", ex.ErrorId);
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        Assert.Equal("1", Sql($"SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
    }

    [Fact]
    public async Task Verification_refuses_an_existing_empty_database_it_did_not_create_and_leaves_it()
    {
        var scratch = fixture.ScratchConnectionString();
        var name = SampleDatabaseFixture.DatabaseName(scratch);
        fixture.Server.CreateDatabase(name);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => VerifyAsync(scratch));

        Assert.Equal("ScratchDatabaseExists", ex.ErrorId);
        Assert.Equal(FailureKind.AlreadyExists, ex.Kind);
        Assert.Equal("1", Sql($"SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
        Assert.Equal("0", fixture.Server.ExecuteSql(name, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'").Trim());
    }

    [Fact]
    public async Task Verification_creates_a_missing_scratch_database_and_drops_it_even_when_the_restore_fails()
    {
        var scratch = fixture.ScratchConnectionString();
        var name = SampleDatabaseFixture.DatabaseName(scratch);
        var bin = ScriptedPgRestore.Create(fixture, ScriptedPgRestore.RestoresThenFails);

        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = _set, RestoreTo = scratch, PgBinDirectory = bin }, NullOperationLog.Instance, default);

        Assert.False(verification.Passed);
        Assert.Contains(verification.Checks, c => c.Name == "Test restore completed" && !c.Passed);
        Assert.Equal("0", Sql($"SELECT count(*) FROM pg_database WHERE datname = '{name}'"));
    }

    [Fact]
    public async Task Verification_drops_the_roles_it_created_with_the_scratch_database()
    {
        var scratch = fixture.ScratchConnectionString();
        var role = "missing_" + Guid.NewGuid().ToString("N")[..8];
        var folder = Path.Combine(fixture.NewFolder("copy"), _set.Id);
        foreach (var file in Directory.GetFiles(_set.Path, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(folder, Path.GetRelativePath(_set.Path, file)))!);
            File.Copy(file, Path.Combine(folder, Path.GetRelativePath(_set.Path, file)));
        }

        var copy = new BackupSet(_set.Repository, folder, Json.Deserialize<BackupManifest>(File.ReadAllText(Path.Combine(folder, BackupRepository.ManifestFileName))));
        copy.Manifest.Database!.Roles.Add(role);

        var verification = await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = copy, RestoreTo = scratch }, NullOperationLog.Instance, default);

        Assert.True(verification.Passed, string.Join("\n", verification.Checks.Where(c => !c.Passed)));
        Assert.Equal("0", Sql($"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'"));
        Assert.Equal("0", Sql($"SELECT count(*) FROM pg_database WHERE datname = '{SampleDatabaseFixture.DatabaseName(scratch)}'"));
    }

    private Task<BackupVerification> VerifyAsync(string scratch) =>
        DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest { Set = _set, RestoreTo = scratch }, NullOperationLog.Instance, default);

    private string Sql(string sql) => fixture.Server.ExecuteSql("postgres", sql).Trim();
}
