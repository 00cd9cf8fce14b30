using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Tests.Database;

/// <summary>A restore ends either fully restored or with the target as it was, and never starts from a damaged set.</summary>
[Collection(SampleDatabaseCollection.Name)]
public sealed class DatabaseRestoreSafetyTests(SampleDatabaseFixture fixture) : IAsyncLifetime
{
    private BackupSet _set = null!;

    public async Task InitializeAsync() => _set = await fixture.BackUpSampleAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Forced_restore_with_a_dependent_view_swaps_in_the_restored_database_and_keeps_the_old_one()
    {
        var (target, name) = await TargetWithADependentViewAsync();

        var result = await DatabaseRestoreEngine.RestoreAsync(Request(target) with { Force = true }, NullOperationLog.Instance, default);

        Assert.True(result.RowCountsMatch, string.Join(", ", result.Comparison.Where(c => !c.Matches)));
        Assert.Equal(ExpectedRows("support_tickets"), Sql(name, "SELECT count(*) FROM public.support_tickets"));
        Assert.Equal("0", Sql(name, "SELECT count(*) FROM pg_views WHERE viewname = 'open_tickets'"));
        var kept = Assert.Single(Databases(name + "_before_"));
        Assert.Equal(kept, result.KeptDatabase);
        Assert.Equal($"DROP DATABASE \"{kept}\";", result.RemoveKeptDatabase);
        Assert.Equal("1", Sql(kept, "SELECT count(*) FROM pg_views WHERE viewname = 'open_tickets'"));
        Assert.Equal("0", Sql(kept, "SELECT count(*) FROM public.support_tickets"));
        Assert.Empty(Databases(name + "_restore_"));
    }

    [Fact]
    public async Task Forced_restore_with_a_dependent_view_that_fails_leaves_the_target_as_it_was()
    {
        var (target, name) = await TargetWithADependentViewAsync();
        var before = State(name);
        // pg_restore does its whole work, then reports a failure: the restore must not be trusted, and nothing may change.
        var tools = ScriptedPgRestore.Create(fixture, ScriptedPgRestore.RestoresThenFails);

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            DatabaseRestoreEngine.RestoreAsync(Request(target) with { Force = true, PgBinDirectory = tools }, NullOperationLog.Instance, default));

        Assert.Equal("PgRestoreFailed", ex.ErrorId);
        Assert.Equal(before, State(name));
        Assert.Empty(Databases(name + "_restore_"));
        Assert.Empty(Databases(name + "_before_"));
    }

    [Fact]
    public async Task Forced_restore_whose_row_counts_differ_from_the_manifest_leaves_the_target_as_it_was()
    {
        var (target, name) = await TargetWithADependentViewAsync();
        var before = State(name);
        var copy = fixture.CopySet(_set);
        copy.Manifest.Database!.Tables.Single(t => t.Name == "message").RowCount += 1;

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            DatabaseRestoreEngine.RestoreAsync(Request(target) with { Set = copy, Force = true }, NullOperationLog.Instance, default));

        Assert.Equal("RestoreVerificationFailed", ex.ErrorId);
        Assert.Contains("public.message", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, State(name));
        Assert.Empty(Databases(name + "_restore_"));
    }

    [Fact]
    public async Task Forced_restore_keeps_the_owner_settings_and_grants_of_the_target_database()
    {
        var (target, name) = await TargetWithADependentViewAsync();
        var role = "owner_" + Guid.NewGuid().ToString("N")[..8];
        fixture.Server.ExecuteSql("postgres", $"""
            CREATE ROLE {role} NOLOGIN;
            CREATE ROLE {role}_reader NOLOGIN;
            ALTER DATABASE "{name}" OWNER TO {role};
            ALTER DATABASE "{name}" SET work_mem = '7MB';
            ALTER DATABASE "{name}" SET search_path = "$user", public, extensions;
            ALTER DATABASE "{name}" CONNECTION LIMIT 40;
            REVOKE ALL ON DATABASE "{name}" FROM PUBLIC;
            GRANT CONNECT ON DATABASE "{name}" TO {role}_reader;
            COMMENT ON DATABASE "{name}" IS 'the live one';
            """);
        var before = DatabaseProperties(name);

        await DatabaseRestoreEngine.RestoreAsync(Request(target) with { Force = true }, NullOperationLog.Instance, default);

        Assert.Equal(before, DatabaseProperties(name));
    }

    [Fact]
    public async Task Forced_restore_ends_other_sessions_on_the_target_and_swaps()
    {
        var (target, name) = await TargetWithADependentViewAsync();
        await using var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(target) { Pooling = false }.ConnectionString);
        await session.OpenAsync();

        var result = await DatabaseRestoreEngine.RestoreAsync(Request(target) with { Force = true }, NullOperationLog.Instance, default);

        Assert.NotNull(result.KeptDatabase);
        Assert.Equal(ExpectedRows("support_tickets"), Sql(name, "SELECT count(*) FROM public.support_tickets"));
        await Assert.ThrowsAnyAsync<Exception>(async () => await new NpgsqlCommand("SELECT 1", session).ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("hotmess", "hotmess_before_20261201T031502Z")]
    [InlineData("a_database_name_of_exactly_sixty_three_bytes_0123456789abcdefgh", "a_database_name_of_exactly_sixty_three__before_20261201T031502Z")]
    [InlineData("ééééééééééééééééééééééééé", "ééééééééééééééééééé_before_20261201T031502Z")]
    public void Side_names_stay_within_what_postgres_keeps(string database, string expected)
    {
        var name = DatabaseRestoreEngine.SideName(database, "before", "20261201T031502Z");

        Assert.Equal(expected, name);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(name) <= 63);
    }

    [Fact]
    public async Task Restore_of_a_set_with_a_damaged_dump_file_is_refused_naming_the_file_and_creates_nothing()
    {
        var copy = fixture.CopySet(_set);
        var victim = copy.Manifest.Files.First(f => f.Path.EndsWith(".dat.gz", StringComparison.Ordinal));
        var path = Path.Combine(copy.Path, victim.Path);
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
        var target = fixture.ScratchConnectionString();

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            DatabaseRestoreEngine.RestoreAsync(Request(target) with { Set = copy }, NullOperationLog.Instance, default));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidData, ex.Kind);
        Assert.Contains(victim.Path, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Databases(SampleDatabaseFixture.DatabaseName(target)));
    }

    [Fact]
    public async Task Forced_restore_of_a_set_with_a_truncated_dump_file_is_refused_and_leaves_the_target_as_it_was()
    {
        var (target, name) = await TargetWithADependentViewAsync();
        var before = State(name);
        var copy = fixture.CopySet(_set);
        var victim = copy.Manifest.Files.Where(f => f.Path.EndsWith(".dat.gz", StringComparison.Ordinal)).MaxBy(f => f.Size)!;
        await using (var file = new FileStream(Path.Combine(copy.Path, victim.Path), FileMode.Open))
        {
            file.SetLength(victim.Size / 2);
        }

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            DatabaseRestoreEngine.RestoreAsync(Request(target) with { Set = copy, Force = true }, NullOperationLog.Instance, default));

        Assert.Equal("BackupCorrupted", ex.ErrorId);
        Assert.Contains(victim.Path, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, State(name));
        Assert.Empty(Databases(name + "_restore_"));
    }

    [Fact]
    public async Task A_failed_restore_into_a_database_it_created_drops_that_database()
    {
        var target = fixture.ScratchConnectionString();

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            DatabaseRestoreEngine.RestoreAsync(Request(target) with { PgBinDirectory = ScriptedPgRestore.Create(fixture, ScriptedPgRestore.RestoresThenFails) }, NullOperationLog.Instance, default));

        Assert.Equal("PgRestoreFailed", ex.ErrorId);
        Assert.Empty(Databases(SampleDatabaseFixture.DatabaseName(target)));
    }

    [Fact]
    public async Task A_failed_forced_restore_drops_the_roles_it_created_and_a_successful_one_reports_them()
    {
        var (target, name) = await TargetWithADependentViewAsync();
        var copy = fixture.CopySet(_set);
        var role = "missing_" + Guid.NewGuid().ToString("N")[..8];
        copy.Manifest.Database!.Roles.Add(role);

        await Assert.ThrowsAsync<HotmessException>(() => DatabaseRestoreEngine.RestoreAsync(
            Request(target) with { Set = copy, Force = true, PgBinDirectory = ScriptedPgRestore.Create(fixture, ScriptedPgRestore.RestoresThenFails) }, NullOperationLog.Instance, default));
        Assert.Equal("0", Sql("postgres", $"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'"));

        var result = await DatabaseRestoreEngine.RestoreAsync(Request(target) with { Set = copy, Force = true }, NullOperationLog.Instance, default);
        Assert.Equal([role], result.CreatedRoles);
        Assert.Equal("1", Sql("postgres", $"SELECT count(*) FROM pg_roles WHERE rolname = '{role}'"));
        Assert.Equal(ExpectedRows("support_tickets"), Sql(name, "SELECT count(*) FROM public.support_tickets"));
    }

    [Theory]
    [InlineData("CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql AS 'SELECT 42'", "function")]
    [InlineData("CREATE TYPE public.mood AS ENUM ('ok', 'not ok')", "type")]
    [InlineData("SELECT lo_from_bytea(0, 'a large object')", "large object")]
    [InlineData("CREATE SCHEMA reporting", "schema")]
    public async Task Restore_refuses_a_target_that_holds_only_functions_types_large_objects_or_schemas_unless_forced(string sql, string what)
    {
        var target = fixture.ScratchConnectionString();
        var name = SampleDatabaseFixture.DatabaseName(target);
        fixture.Server.CreateDatabase(name);
        fixture.Server.ExecuteSql(name, sql);
        var before = State(name);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => DatabaseRestoreEngine.RestoreAsync(Request(target), NullOperationLog.Instance, default));

        Assert.Equal("TargetNotEmpty", ex.ErrorId);
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, State(name));
    }

    private DatabaseRestoreRequest Request(string target) => new() { Set = _set, TargetConnectionString = target };

    /// <summary>A live database restored from the set, changed since, with a view (made after the backup) on a restored table.</summary>
    private async Task<(string Target, string Name)> TargetWithADependentViewAsync()
    {
        var target = fixture.ScratchConnectionString();
        await DatabaseRestoreEngine.RestoreAsync(Request(target), NullOperationLog.Instance, default);
        var name = SampleDatabaseFixture.DatabaseName(target);
        fixture.Server.ExecuteSql(name, """
            DELETE FROM public.support_tickets;
            CREATE VIEW public.open_tickets AS SELECT * FROM public.support_tickets;
            CREATE TABLE public.added_after_the_backup (id int);
            INSERT INTO public.added_after_the_backup VALUES (1), (2);
            """);
        return (target, name);
    }

    /// <summary>Every relation, routine and type outside the system schemas, with the row count of every table.</summary>
    private string State(string database) => Sql(database, """
        SELECT string_agg(item, E'\n' ORDER BY item) FROM (
          SELECT format('%s %I.%I %s', c.relkind, n.nspname, c.relname,
                   CASE WHEN c.relkind IN ('r', 'p') THEN (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', n.nspname, c.relname), false, true, '')))[1]::text END) AS item
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
          UNION ALL
          SELECT format('f %I.%I', n.nspname, p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
          UNION ALL
          SELECT format('t %I.%I', n.nspname, t.typname) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
          UNION ALL
          SELECT format('n %I', nspname) FROM pg_namespace
          UNION ALL
          SELECT format('lo %s', oid) FROM pg_largeobject_metadata
        ) items
        """);

    private string DatabaseProperties(string database) => Sql("postgres", $"""
        SELECT concat_ws(' | ', pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), d.datcollate, d.datctype, d.datconnlimit,
                         d.datacl::text, shobj_description(d.oid, 'pg_database'),
                         (SELECT string_agg(c, ',' ORDER BY c) FROM pg_db_role_setting s, unnest(s.setconfig) c WHERE s.setdatabase = d.oid))
          FROM pg_database d WHERE d.datname = '{database}'
        """);

    private string ExpectedRows(string table) => _set.Manifest.Database!.Tables.Single(t => t.Name == table).RowCount.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The databases whose names start with <paramref name="prefix"/>.</summary>
    private List<string> Databases(string prefix) =>
        Sql("postgres", $"SELECT datname FROM pg_database WHERE starts_with(datname, '{prefix}') ORDER BY 1")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();

    private string Sql(string database, string sql) => fixture.Server.ExecuteSql(database, sql).Trim();
}
