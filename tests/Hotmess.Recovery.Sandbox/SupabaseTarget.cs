namespace Hotmess.Recovery.Sandbox;

/// <summary>
/// Turns a throw-away cluster into one shaped like a hosted Supabase project, as a restore target: the superuser is
/// <c>supabase_admin</c>, <c>postgres</c> is not a superuser but has the rights Supabase gives it (CREATEROLE,
/// BYPASSRLS, membership of the API roles, PostgreSQL 15's <c>SET</c> on <c>session_replication_role</c>), and each
/// project database starts with the managed schemas owned by Supabase's roles, rows in their migration tables, and
/// default privileges that give anon and authenticated everything created in public.
/// </summary>
public static class SupabaseTarget
{
    public const string AdminUser = "supabase_admin";

    /// <summary>The managed schemas a project database starts with.</summary>
    public static IReadOnlyList<string> ManagedSchemas { get; } =
        ["auth", "storage", "extensions", "graphql", "graphql_public", "realtime", "vault", "supabase_functions"];

    /// <summary>
    /// Creates Supabase's roles, renames the bootstrap superuser to <c>supabase_admin</c> and creates a <c>postgres</c> that
    /// is no superuser, with the same password; run once, on a cluster of its own (roles belong to the whole cluster).
    /// Afterwards the server's own helpers run as that <c>postgres</c>.
    /// </summary>
    public static async Task PrepareClusterAsync(LocalPostgres server, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        var password = new Dictionary<string, string> { ["admin_password"] = server.Password };
        await server.RunPsqlAsync(server.SuperUser, server.Password, "postgres", SampleDatabase.ReadScript("supabase_target_cluster.sql"), scriptPath: null,
            password, singleTransaction: true, ct).ConfigureAwait(false);
        await server.RunPsqlAsync("hotmess_bootstrap", server.Password, "postgres", SampleDatabase.ReadScript("supabase_target_postgres.sql"), scriptPath: null,
            password, singleTransaction: true, ct).ConfigureAwait(false);
        await server.RunPsqlAsync(AdminUser, server.Password, "postgres", "DROP ROLE hotmess_bootstrap;", scriptPath: null, variables: null,
            singleTransaction: false, ct).ConfigureAwait(false);
    }

    /// <summary>Creates <paramref name="database"/>, owned by <c>postgres</c>, as a fresh project's database.</summary>
    public static async Task CreateProjectDatabaseAsync(LocalPostgres server, string database, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        await server.RunPsqlAsync(AdminUser, server.Password, "postgres", $"CREATE DATABASE {SqlText.Identifier(database)} OWNER postgres;", scriptPath: null,
            variables: null, singleTransaction: false, ct).ConfigureAwait(false);
        await server.RunPsqlAsync(AdminUser, server.Password, database, SampleDatabase.ReadScript("supabase_target_database.sql"), scriptPath: null,
            variables: null, singleTransaction: true, ct).ConfigureAwait(false);
    }

    /// <summary>Runs SQL as <c>supabase_admin</c> (what a test reads that <c>postgres</c> may not).</summary>
    public static Task<string> ExecuteAsAdminAsync(LocalPostgres server, string database, string sql, CancellationToken ct = default) =>
        server.ExecuteSqlAsAsync(AdminUser, server.Password, database, sql, ct);

    /// <summary>
    /// Adds to a sample database what a real project holds beyond it: Storage's tables with rows, auth.identities, a
    /// custom role, a schema other than public with a materialized view, a bucket policy on storage.objects and a
    /// trigger on auth.users. Run on an ordinary cluster, whose <c>postgres</c> is superuser.
    /// </summary>
    public static Task AddProjectObjectsAsync(LocalPostgres server, string database, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.RunPsqlAsync(server.SuperUser, server.Password, database, SampleDatabase.ReadScript("supabase_source_extras.sql"), scriptPath: null,
            variables: null, singleTransaction: true, ct);
    }
}
