using Hotmess.Recovery.Sandbox;
using Npgsql;

namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>
/// A created project's database on a real, Supabase-shaped cluster (SupabaseTarget.PrepareClusterAsync): created by
/// the cluster's superuser with the sandbox's own project bootstrap, so it looks like a fresh hosted project.
/// </summary>
internal static class FakeProjectDatabase
{
    /// <summary>
    /// Creates database <paramref name="name"/> owned by <c>postgres</c>, bootstraps it, and gives <c>postgres</c> the
    /// project's password. Roles belong to the whole cluster, so the newest project's password is the one in force.
    /// </summary>
    public static void Create(string adminConnectionString, string name, string password)
    {
        using (var admin = new NpgsqlConnection(adminConnectionString))
        {
            admin.Open();
            Execute(admin, $"CREATE DATABASE {SqlText.Identifier(name)} OWNER postgres");
            Execute(admin, $"ALTER ROLE postgres PASSWORD {SqlText.Literal(password)}");
        }

        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name };
        using var project = new NpgsqlConnection(builder.ConnectionString);
        project.Open();
        using var transaction = project.BeginTransaction();
        using (var command = new NpgsqlCommand(SampleDatabase.ReadScript("supabase_target_database.sql"), project, transaction))
        {
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The host the Management API reports for the project's database.</summary>
    public static string Host(string adminConnectionString) => new NpgsqlConnectionStringBuilder(adminConnectionString).Host ?? "127.0.0.1";

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}
