using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Database;

/// <summary>The sample project restored into a Supabase-shaped target, where postgres is no superuser.</summary>
public sealed class SupabaseTargetRestoreTests(SupabaseTargetFixture fixture) : IClassFixture<SupabaseTargetFixture>
{
    // Every fact below reads the one restore the fixture made; roles belong to the cluster, so only the first restore creates them.
    private Task<(string Target, DatabaseRestoreResult Result, CollectingLog Log)> RestoreAsync() => Task.FromResult(fixture.Restored);

    [Fact]
    public async Task A_supabase_target_is_recognised_and_every_restored_table_matches_the_manifest()
    {
        var (_, result, _) = await RestoreAsync();

        Assert.Equal(DatabaseTargetKind.Supabase, result.TargetKind);
        Assert.True(result.RowCountsMatch, string.Join(", ", result.Comparison.Where(c => !c.Matches)));
        Assert.Contains(result.Comparison, c => c.Table == "public.message" && c.Actual > 0);
    }

    [Fact]
    public async Task The_rows_of_auth_and_storage_come_back_but_not_the_managed_migration_rows()
    {
        var (target, result, _) = await RestoreAsync();

        foreach (var table in new[] { "auth.users", "auth.identities", "storage.buckets", "storage.objects" })
        {
            Assert.Equal(await fixture.QuerySourceAsync($"SELECT count(*) FROM {table}"), await fixture.QueryAsync(target, $"SELECT count(*) FROM {table}"));
        }

        Assert.Equal("3", await fixture.QueryAsync(target, "SELECT count(*) FROM auth.schema_migrations"));
        Assert.Contains(result.Skipped, s => s.Kind == "TABLE DATA" && s.Name == "auth.schema_migrations");
    }

    [Fact]
    public async Task Managed_schemas_keep_their_owners_and_no_managed_ddl_is_run()
    {
        var (target, result, _) = await RestoreAsync();

        Assert.Equal("supabase_auth_admin|supabase_storage_admin",
            await fixture.QueryAsync(target, "SELECT string_agg(nspowner::regrole::text, '|' ORDER BY nspname) FROM pg_namespace WHERE nspname IN ('auth', 'storage')"));
        Assert.Equal("supabase_auth_admin", await fixture.QueryAsync(target, "SELECT relowner::regrole FROM pg_class WHERE oid = 'auth.users'::regclass"));
        // The target's auth.users has columns the dump's has not: it was not re-created from the dump.
        Assert.Equal("1", await fixture.QueryAsync(target, "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'auth' AND table_name = 'users' AND column_name = 'is_sso_user'"));
        Assert.Contains(result.Skipped, s => s.Kind == "TABLE" && s.Name == "auth.users");
        Assert.Contains(result.Skipped, s => s.Kind == "SCHEMA" && s.Name == "storage");
        Assert.Contains(result.Skipped, s => s.Kind == "EXTENSION" && s.Name == "pgcrypto");
    }

    [Fact]
    public async Task Custom_roles_are_created_without_passwords_and_listed()
    {
        var (target, result, log) = await RestoreAsync();

        Assert.Contains("hotmess_reporting", result.CreatedRoles);
        Assert.Equal("false|false", await fixture.QueryAsync(target, "SELECT rolcanlogin || '|' || (rolpassword IS NOT NULL) FROM pg_authid WHERE rolname = 'hotmess_reporting'"));
        Assert.Contains(log.Warnings, w => w.Contains("'hotmess_reporting'", StringComparison.Ordinal) && w.Contains("without passwords", StringComparison.Ordinal));
        Assert.Equal("t", await fixture.QueryAsync(target, "SELECT has_table_privilege('hotmess_reporting', 'reporting.orders_per_status', 'SELECT')"));
    }

    [Fact]
    public async Task Grants_come_back_exactly_and_the_projects_default_privileges_leak_nothing()
    {
        var (target, _, _) = await RestoreAsync();
        const string grants = """
            SELECT string_agg(format('%s:%s', c.relname, coalesce(array_to_string(array(
                SELECT a.grantee::regrole || '=' || a.privilege_type FROM aclexplode(c.relacl) a
                 WHERE a.grantee::regrole::text IN ('anon', 'authenticated', 'service_role') ORDER BY 1), ','), '')), ';' ORDER BY c.relname)
              FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v', 'S')
            """;

        Assert.Equal(await fixture.QuerySourceAsync(grants), await fixture.QueryAsync(target, grants));
        Assert.Equal("false|false", await fixture.QueryAsync(target,
            "SELECT has_table_privilege('anon', 'public.internal_note', 'SELECT') || '|' || has_table_privilege('authenticated', 'public.profile_created', 'INSERT')"));
        Assert.Equal("f", await fixture.QueryAsync(target, "SELECT has_function_privilege('anon', 'public.handle_new_user()', 'EXECUTE')"));
    }

    [Fact]
    public async Task Row_level_security_policies_sequences_and_functions_come_back()
    {
        var (target, _, _) = await RestoreAsync();
        const string policies = "SELECT string_agg(tablename || '.' || policyname, ',' ORDER BY tablename, policyname) FROM pg_policies WHERE schemaname = 'public'";
        const string rls = "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relrowsecurity";
        const string sequence = "SELECT last_value FROM reporting.report_number";

        Assert.Equal(await fixture.QuerySourceAsync(policies), await fixture.QueryAsync(target, policies));
        Assert.Equal(await fixture.QuerySourceAsync(rls), await fixture.QueryAsync(target, rls));
        Assert.Equal(await fixture.QuerySourceAsync(sequence), await fixture.QueryAsync(target, sequence));
        Assert.Equal("t", await fixture.QueryAsync(target, "SELECT to_regprocedure('public.set_updated_at()') IS NOT NULL"));
    }

    [Fact]
    public async Task User_objects_in_managed_schemas_come_back_a_bucket_policy_and_a_trigger_on_auth_users()
    {
        var (target, _, _) = await RestoreAsync();

        Assert.Equal("Avatars are public,Users upload their own avatar",
            await fixture.QueryAsync(target, "SELECT string_agg(policyname, ',' ORDER BY policyname) FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects'"));
        Assert.Equal("on_auth_user_created", await fixture.QueryAsync(target, "SELECT tgname FROM pg_trigger WHERE tgrelid = 'auth.users'::regclass AND NOT tgisinternal"));
        // The trigger was not there while the rows were loaded, and replica mode would have kept it quiet anyway.
        Assert.Equal(await fixture.QuerySourceAsync("SELECT count(*) FROM public.profile_created"), await fixture.QueryAsync(target, "SELECT count(*) FROM public.profile_created"));
    }

    [Fact]
    public async Task Materialized_views_come_back_populated_and_other_schemas_too()
    {
        var (target, _, _) = await RestoreAsync();
        const string view = "SELECT string_agg(status || '=' || orders, ',' ORDER BY status) FROM reporting.orders_per_status";

        Assert.Equal("t", await fixture.QueryAsync(target, "SELECT ispopulated FROM pg_matviews WHERE schemaname = 'reporting'"));
        Assert.Equal(await fixture.QuerySourceAsync(view), await fixture.QueryAsync(target, view));
    }

    [Fact]
    public async Task Owners_the_caller_is_a_member_of_are_restored_and_only_the_others_are_reported()
    {
        var (target, result, _) = await RestoreAsync();

        Assert.Equal("postgres", await fixture.QueryAsync(target, "SELECT relowner::regrole FROM pg_class WHERE oid = 'public.\"User\"'::regclass"));
        Assert.Equal("service_role", await fixture.QueryAsync(target, "SELECT relowner::regrole FROM pg_class WHERE oid = 'reporting.report_number'::regclass"));
        Assert.Equal("postgres", await fixture.QueryAsync(target, "SELECT proowner::regrole FROM pg_proc WHERE oid = 'reporting.orders_total()'::regprocedure"));
        Assert.DoesNotContain(result.Skipped, s => s.Kind == "OWNER" && s.Name is "postgres" or "service_role");
        Assert.Contains(result.Skipped, s => s.Kind == "OWNER" && s.Name == "hotmess_reporting" && s.Reason.Contains("no member", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_project_holding_users_is_not_empty_and_is_refused()
    {
        var target = await fixture.NewProjectAsync();
        await fixture.QueryAsync(target, "INSERT INTO auth.users (id, email) VALUES (gen_random_uuid(), 'someone@example.com')");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseRestoreEngine.RestoreAsync(
            new DatabaseRestoreRequest { Set = fixture.Set, TargetConnectionString = target, Force = true }, new CollectingLog(), CancellationToken.None));

        Assert.Equal("TargetNotEmpty", ex.ErrorId);
        Assert.Contains("auth.users", ex.Message);
        Assert.Contains("-Force does not apply", ex.Message);
    }

    [Fact]
    public async Task The_migration_rows_of_a_fresh_project_do_not_make_it_non_empty()
    {
        var target = await fixture.NewProjectAsync();
        await using var connection = await DatabaseSession.OpenAsync(new Npgsql.NpgsqlConnectionStringBuilder(target), CancellationToken.None);

        Assert.True(await SupabaseDatabaseTarget.IsSupabaseAsync(connection, CancellationToken.None));
        Assert.Null(await SupabaseDatabaseTarget.DescribeDataAsync(connection, CancellationToken.None));
    }

    [Fact]
    public async Task Told_it_is_plain_postgresql_the_restore_tries_the_dump_as_it_is_and_fails_on_the_managed_schemas()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => fixture.RestoreIntoNewProjectAsync(DatabaseTargetKind.PostgreSQL));

        Assert.Contains(ex.ErrorId, new[] { "TargetNotEmpty", "PgRestoreFailed" });
    }

    [Fact]
    public async Task The_rows_are_loaded_in_replica_mode_so_the_projects_own_triggers_stay_quiet()
    {
        var target = await fixture.NewProjectAsync();
        // A trigger of the project on auth.users that would count every row inserted in origin mode.
        await fixture.QueryAsync(target, """
            CREATE SEQUENCE auth.rows_seen;
            CREATE FUNCTION auth.count_row() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$ BEGIN PERFORM nextval('auth.rows_seen'); RETURN NEW; END $$;
            CREATE TRIGGER count_rows AFTER INSERT ON auth.users FOR EACH ROW EXECUTE FUNCTION auth.count_row();
            """);
        var log = new CollectingLog();

        var result = await DatabaseRestoreEngine.RestoreAsync(new DatabaseRestoreRequest { Set = fixture.Set, TargetConnectionString = target }, log, CancellationToken.None);

        Assert.True(result.RowCountsMatch, string.Join(", ", result.Comparison.Where(c => !c.Matches)));
        Assert.NotEqual("0", await fixture.QueryAsync(target, "SELECT count(*) FROM auth.users"));
        Assert.Equal("f", await fixture.QueryAsync(target, "SELECT is_called FROM auth.rows_seen"));
        Assert.Contains(log.Verbose, v => v.StartsWith("Supabase restore step 'all data (replica mode) and sequences' took ", StringComparison.Ordinal));
        Assert.Contains(log.Verbose, v => v.StartsWith("Supabase restore step 'counting the restored rows' took ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replica_mode_is_given_when_connecting_only_to_a_role_granted_it_and_otherwise_set_table_by_table()
    {
        var target = new Npgsql.NpgsqlConnectionStringBuilder(await fixture.NewProjectAsync());
        await fixture.QueryAsync(target.ConnectionString, $"CREATE ROLE hotmess_ungranted_{target.Database} LOGIN PASSWORD '{fixture.Target.Password}'");
        var ungranted = new Npgsql.NpgsqlConnectionStringBuilder(target.ConnectionString) { Username = $"hotmess_ungranted_{target.Database}" };
        var log = new CollectingLog();

        Assert.True(await SupabaseDatabaseTarget.ReplicaAtConnectionAsync(target, log, CancellationToken.None));
        Assert.False(await SupabaseDatabaseTarget.ReplicaAtConnectionAsync(ungranted, log, CancellationToken.None));
        Assert.Contains(log.Verbose, v => v.StartsWith("The project refuses session_replication_role given when connecting", StringComparison.Ordinal));
    }
}
