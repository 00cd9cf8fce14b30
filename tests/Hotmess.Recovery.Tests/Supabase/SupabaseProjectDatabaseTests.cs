using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Sandbox;
using Hotmess.Recovery.Supabase;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Npgsql;

namespace Hotmess.Recovery.Tests.Supabase;

/// <summary>
/// A created project's database is a real one on a Supabase-shaped cluster: the output's connection string logs in as
/// a postgres that is no superuser, into a database that starts with Supabase's managed schemas.
/// </summary>
public sealed class SupabaseProjectDatabaseTests : IAsyncLifetime
{
    private LocalPostgres _server = null!;
    private FakeServer _fake = null!;

    public async Task InitializeAsync()
    {
        _server = await LocalPostgres.StartAsync();
        await SupabaseTarget.PrepareClusterAsync(_server);
        _fake = await FakeServer.StartAsync();
        await _fake.ResetAsync();
        await _fake.PostAsync("__fake/supabase-management/projects",
            new { postgres = _server.ConnectionString("postgres", SupabaseTarget.AdminUser, _server.Password), readyAfterPolls = 1 });
    }

    public async Task DisposeAsync()
    {
        await _fake.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task The_connection_string_reaches_a_fresh_supabase_shaped_database_as_postgres_with_the_generated_password()
    {
        var account = SupabaseManagementClient.ForAccount(_fake.Http, _fake.Url("supabase-management"), PlatformFakes.ManagementToken);
        var engine = new SupabaseProjectCreationEngine(account, TimeProvider.System);

        var project = await engine.CreateAsync(new NewSupabaseProjectRequest
        {
            Name = "hotmess-restored",
            OrganizationId = "hotmess-org",
            PollInterval = TimeSpan.FromMilliseconds(200),
            DatabaseConnectionTemplate = $"Host={{host}};Port={_server.Port};Database={{ref}};Username=postgres;SSL Mode=Disable",
        }, CancellationToken.None);

        await using var connection = new NpgsqlConnection(SupabaseProjectCreationEngineTests.Plain(project.ConnectionString));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT current_user || ' ' || (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) || ' ' || current_database() || ' ' "
            + "|| (SELECT count(*) FROM pg_namespace WHERE nspname IN ('auth', 'storage', 'extensions', 'realtime', 'vault')) || ' ' "
            + "|| (SELECT count(*) FROM auth.schema_migrations)", connection);
        Assert.Equal($"postgres false {project.Ref} 5 3", (string?)await command.ExecuteScalarAsync());
    }
}
