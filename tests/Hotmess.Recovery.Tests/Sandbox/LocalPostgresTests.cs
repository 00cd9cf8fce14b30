using System.Data.Common;
using System.Net.Sockets;
using Hotmess.Recovery.Sandbox;

namespace Hotmess.Recovery.Tests.Sandbox;

/// <summary>One server for the tests that need no server of their own.</summary>
public sealed class SharedServerFixture : IAsyncLifetime
{
    public LocalPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LocalPostgres.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A name no other test uses; roles and databases are shared by the whole server.</summary>
    public static string UniqueName(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..8];
}

public sealed class LocalPostgresTests(SharedServerFixture fixture) : IClassFixture<SharedServerFixture>
{
    [Fact]
    public async Task StartedServerAnswersOnItsLoopbackPort()
    {
        var server = fixture.Server;

        var answer = await server.ExecuteSqlAsync("postgres",
            "SELECT current_setting('port'), current_setting('listen_addresses'), current_user, current_setting('server_version_num')::int / 10000");

        Assert.Equal($"{server.Port}|127.0.0.1|postgres|15", answer);
        Assert.Equal("127.0.0.1", server.Host);
        Assert.True(server.IsRunning);
    }

    [Fact]
    public async Task TwoServersRunSideBySideWithSeparateClusters()
    {
        var first = fixture.Server;
        await using var second = await LocalPostgres.StartAsync();
        var database = SharedServerFixture.UniqueName("only_in_first");

        await first.CreateDatabaseAsync(database);

        Assert.NotEqual(first.Port, second.Port);
        Assert.NotEqual(first.DataDirectory, second.DataDirectory);
        var exists = $"SELECT count(*) FROM pg_database WHERE datname = {SqlText.Literal(database)}";
        Assert.Equal("1", await first.ExecuteSqlAsync("postgres", exists));
        Assert.Equal("0", await second.ExecuteSqlAsync("postgres", exists));
    }

    [Fact]
    public async Task DisposeStopsTheServerAndDeletesItsFolder()
    {
        var server = await LocalPostgres.StartAsync();
        var port = server.Port;
        var root = server.RootDirectory;
        Assert.True(Directory.Exists(server.DataDirectory));

        server.Dispose();
        server.Dispose();

        Assert.False(server.IsRunning);
        Assert.False(Directory.Exists(root));
        using var client = new TcpClient();
        Assert.ThrowsAny<SocketException>(() => client.Connect(server.Host, port));
        Assert.Throws<ObjectDisposedException>(() => server.ExecuteSql("postgres", "SELECT 1"));
    }

    [Fact]
    public async Task LoginRoleWithRightPasswordConnectsAndWrongPasswordIsRejected()
    {
        var server = fixture.Server;
        var role = SharedServerFixture.UniqueName("reporter");
        server.CreateRole(role, "correct horse ' battery");

        var who = server.ExecuteSqlAs(role, "correct horse ' battery", "postgres",
            "SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user");
        var ex = Assert.Throws<PostgresCommandException>(
            () => server.ExecuteSqlAs(role, "wrong password", "postgres", "SELECT 1"));
        var superuserEx = Assert.Throws<PostgresCommandException>(
            () => server.ExecuteSqlAs(server.SuperUser, "wrong password", "postgres", "SELECT 1"));

        Assert.Equal($"{role}|f", who);
        Assert.Contains("password authentication failed", ex.StandardError);
        Assert.Contains("password authentication failed", superuserEx.Message);
        Assert.Equal("psql", ex.Program);
        Assert.NotEqual(0, ex.ExitCode);
    }

    [Fact]
    public async Task FailingSqlThrowsWithPsqlsErrorAndNoPassword()
    {
        var server = fixture.Server;

        var ex = await Assert.ThrowsAsync<PostgresCommandException>(
            () => server.ExecuteSqlAsync("postgres", "SELECT 1; SELECT * FROM no_such_table; SELECT 2"));

        Assert.Contains("relation \"no_such_table\" does not exist", ex.Message);
        Assert.DoesNotContain(server.Password, ex.Message);
    }

    [Fact]
    public void ConnectionStringCarriesEveryPartForNpgsql()
    {
        var server = fixture.Server;

        var parts = new DbConnectionStringBuilder { ConnectionString = server.ConnectionString("hotmess") };
        var uri = new Uri(server.ConnectionUri("hotmess"));

        Assert.Equal("127.0.0.1", parts["Host"]);
        Assert.Equal(server.Port.ToString(), parts["Port"]);
        Assert.Equal("postgres", parts["Username"]);
        Assert.Equal(server.Password, parts["Password"]);
        Assert.Equal("hotmess", parts["Database"]);
        Assert.Equal(server.Port, uri.Port);
        Assert.Equal("/hotmess", uri.AbsolutePath);
        Assert.Equal($"postgres:{server.Password}", uri.UserInfo);
    }

    [Fact]
    public async Task DatabasesAreCreatedAndDroppedEvenWithOpenSessions()
    {
        var server = fixture.Server;
        var database = SharedServerFixture.UniqueName("Mixed Case");
        server.CreateDatabase(database);
        var session = server.ExecuteSqlAsync(database, "SELECT pg_sleep(30)");
        await WaitForSessionAsync(server, database);

        server.DropDatabase(database);
        server.DropDatabase(database);

        Assert.Equal("0", server.ExecuteSql("postgres", $"SELECT count(*) FROM pg_database WHERE datname = {SqlText.Literal(database)}"));
        await Assert.ThrowsAsync<PostgresCommandException>(() => session);
    }

    [Fact]
    public async Task SqlFilesAndUnicodeTextPassThroughUnchanged()
    {
        var server = fixture.Server;
        var database = SharedServerFixture.UniqueName("notes");
        server.CreateDatabase(database);
        var script = Path.Combine(Path.GetTempPath(), $"sandbox-{Guid.NewGuid():N}.sql");
        await File.WriteAllTextAsync(script, "CREATE TABLE note (body text);\nINSERT INTO note VALUES ('Zoë 🌈 Łukasz');\n");
        try
        {
            server.ExecuteSqlFile(database, script);
        }
        finally
        {
            File.Delete(script);
        }

        Assert.Equal("Zoë 🌈 Łukasz", server.ExecuteSql(database, "SELECT body FROM note"));
        Assert.Equal("a\nb", server.ExecuteSql("postgres", "SELECT 'a' UNION ALL SELECT 'b'"));
    }

    [Fact]
    public async Task AFreshServerGetsTheSupabaseRolesOnRequestAndKeepsThemOnASecondCall()
    {
        await using var server = await LocalPostgres.StartAsync();
        const string roles = "SELECT count(*) FROM pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')";
        Assert.Equal("0", server.ExecuteSql("postgres", roles));

        SampleDatabase.EnsureRoles(server);
        await SampleDatabase.EnsureRolesAsync(server);

        Assert.Equal("3", server.ExecuteSql("postgres", roles));
    }

    [Fact]
    public async Task ExtraSettingsReachTheServer()
    {
        var options = new LocalPostgresOptions { MaxConnections = 23 };
        options.Settings["wal_level"] = "logical";

        await using var server = await LocalPostgres.StartAsync(options);

        Assert.Equal("23|logical|off",
            server.ExecuteSql("postgres", "SELECT current_setting('max_connections'), current_setting('wal_level'), current_setting('fsync')"));
    }

    [Fact]
    public async Task MissingBinDirectoryIsNamedInTheError()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-postgres-" + Guid.NewGuid().ToString("N"));

        var ex = await Assert.ThrowsAsync<DirectoryNotFoundException>(
            () => LocalPostgres.StartAsync(new LocalPostgresOptions { BinDirectory = missing }));

        Assert.Contains(missing, ex.Message);
    }

    [Fact]
    public void ToolPathFindsPostgresProgramsAndRejectsUnknownOnes()
    {
        var server = fixture.Server;

        Assert.True(File.Exists(server.ToolPath("pg_dump")));
        Assert.Throws<FileNotFoundException>(() => server.ToolPath("pg_nothing"));
    }

    private static async Task WaitForSessionAsync(LocalPostgres server, string database)
    {
        var sql = $"SELECT count(*) FROM pg_stat_activity WHERE datname = {SqlText.Literal(database)} AND query LIKE '%pg_sleep%'";
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await server.ExecuteSqlAsync("postgres", sql) == "1")
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new InvalidOperationException("The blocking session never appeared.");
    }
}
