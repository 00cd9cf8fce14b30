using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database.Migrations;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Database.Migrations;

/// <summary>Migration files against a real PostgreSQL, recorded as <c>supabase db push</c> records them.</summary>
[Collection(MigrationDatabaseCollection.Name)]
public sealed class MigrationEngineTests(MigrationDatabaseFixture fixture)
{
    private const string HistoryExists = "SELECT to_regclass('supabase_migrations.schema_migrations') IS NOT NULL";

    [Fact]
    public async Task Applies_pending_files_in_numeric_version_order_and_records_version_name_and_statements()
    {
        var (database, folder) = await NewAsync();
        // 10 needs the table 9 creates: applied in file-name order it would fail.
        Write(folder, "10_add_price.sql", "ALTER TABLE public.product ADD COLUMN price numeric;\nINSERT INTO public.product (name, price) VALUES ('tee; white', 12);");
        Write(folder, "9_create_product.sql", "-- products\nCREATE TABLE public.product (id serial PRIMARY KEY, name text NOT NULL);");

        var results = await RunAsync(database, folder);

        Assert.Equal(["9", "10"], results.Select(r => r.Version));
        Assert.All(results, r => Assert.Equal(MigrationStatus.Applied, r.Status));
        Assert.Equal(["create_product", "add_price"], results.Select(r => r.Name));
        Assert.Equal("tee; white|12", fixture.Sql(database, "SELECT name || '|' || price FROM public.product"));
        Assert.Equal(
            "10|add_price|{\"ALTER TABLE public.product ADD COLUMN price numeric\",\"INSERT INTO public.product (name, price) VALUES ('tee; white', 12)\"}\n"
            + "9|create_product|{\"-- products\nCREATE TABLE public.product (id serial PRIMARY KEY, name text NOT NULL)\"}",
            fixture.Sql(database, "SELECT version || '|' || name || '|' || statements::text FROM supabase_migrations.schema_migrations ORDER BY version"));
        Assert.Equal("version:text:true,statements:text[]:false,name:text:false", fixture.Sql(database, """
            SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) || ':' || a.attnotnull, ',' ORDER BY a.attnum)
            FROM pg_attribute a WHERE a.attrelid = 'supabase_migrations.schema_migrations'::regclass AND a.attnum > 0 AND NOT a.attisdropped
            """));
    }

    [Fact]
    public async Task A_second_run_applies_nothing_and_reports_every_file_already_applied()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "20240101000000_orders.sql", "CREATE TABLE public.orders (id int); INSERT INTO public.orders VALUES (1);");
        await RunAsync(database, folder);

        var again = await RunAsync(database, folder);

        Assert.Equal(MigrationStatus.AlreadyApplied, Assert.Single(again).Status);
        Assert.Equal("1", fixture.Sql(database, "SELECT count(*) FROM public.orders"));
        Assert.Equal("1", fixture.Sql(database, "SELECT count(*) FROM supabase_migrations.schema_migrations"));
    }

    [Fact]
    public async Task A_failing_file_leaves_no_trace_stops_the_run_and_names_the_file_line_and_column()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_first.sql", "CREATE TABLE public.first (id int);");
        Write(folder, "2_broken.sql", "CREATE TABLE public.second (id int);\n\nINSERT INTO public.second VALUES (1);\nCREATE TABLEX public.oops (id int);");
        Write(folder, "3_after.sql", "CREATE TABLE public.third (id int);");

        var ex = await Assert.ThrowsAsync<MigrationFailedException>(() => RunAsync(database, folder));

        Assert.Equal("MigrationFailed", ex.ErrorId);
        Assert.Equal(MigrationStatus.Failed, ex.Result.Status);
        Assert.Equal("2", ex.Result.Version);
        Assert.Contains("'2_broken.sql'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Statement 3 of 3, line 4 column 8", ex.Message, StringComparison.Ordinal);
        Assert.Contains("syntax error at or near \"TABLEX\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("CREATE TABLEX public.oops (id int);\n       ^", ex.Message, StringComparison.Ordinal);
        Assert.Equal("true|false|false", fixture.Sql(database,
            "SELECT (to_regclass('public.first') IS NOT NULL) || '|' || (to_regclass('public.second') IS NOT NULL) || '|' || (to_regclass('public.third') IS NOT NULL)"));
        Assert.Equal("1", fixture.Sql(database, "SELECT string_agg(version, ',') FROM supabase_migrations.schema_migrations"));
    }

    [Fact]
    public async Task A_failing_first_file_does_not_even_leave_the_history_table()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_broken.sql", "CREATE TABLE public.t (id int);\nSELECT 1/0;");

        var ex = await Assert.ThrowsAsync<MigrationFailedException>(() => RunAsync(database, folder));

        Assert.Contains("division by zero", ex.Message, StringComparison.Ordinal);
        Assert.Equal("f", fixture.Sql(database, HistoryExists));
        Assert.Equal("0", fixture.Sql(database, "SELECT count(*) FROM pg_namespace WHERE nspname = 'supabase_migrations'"));
        Assert.Equal("f", fixture.Sql(database, "SELECT to_regclass('public.t') IS NOT NULL"));
    }

    [Fact]
    public async Task The_files_own_commit_does_not_commit_half_a_failing_file()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_wrapped.sql", "BEGIN;\nCREATE TABLE public.half (id int);\nCOMMIT;\nSELECT 1/0;");

        await Assert.ThrowsAsync<MigrationFailedException>(() => RunAsync(database, folder));

        Assert.Equal("f", fixture.Sql(database, "SELECT to_regclass('public.half') IS NOT NULL"));
        Assert.Equal("f", fixture.Sql(database, HistoryExists));
    }

    [Fact]
    public async Task A_file_wrapped_in_begin_and_commit_is_applied_and_recorded_with_them()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_wrapped.sql", "begin;\ncreate table public.wrapped (id int);\ncommit;");

        var result = Assert.Single(await RunAsync(database, folder));

        Assert.Equal(MigrationStatus.Applied, result.Status);
        Assert.Equal(1, result.Statements);
        Assert.Equal("{begin,\"create table public.wrapped (id int)\",commit}", fixture.Sql(database, "SELECT statements::text FROM supabase_migrations.schema_migrations"));
    }

    [Fact]
    public async Task Functions_with_semicolons_in_their_bodies_are_applied_whole()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_functions.sql", """
            CREATE FUNCTION public.plus_one(x int) RETURNS int LANGUAGE plpgsql AS $$
            BEGIN
              x := x + 1;
              RETURN x;
            END $$;
            CREATE FUNCTION public.sign_of(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
              SELECT CASE WHEN x > 0 THEN 1 WHEN x < 0 THEN -1 ELSE 0 END;
            END;
            -- trailing comment
            """);

        var result = Assert.Single(await RunAsync(database, folder));

        Assert.Equal(2, result.Statements);
        Assert.Equal("3|-1", fixture.Sql(database, "SELECT public.plus_one(2) || '|' || public.sign_of(-5)"));
        Assert.Equal("3", fixture.Sql(database, "SELECT array_length(statements, 1) FROM supabase_migrations.schema_migrations"));
    }

    [Fact]
    public async Task WhatIf_lists_the_pending_files_and_changes_nothing()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_a.sql", "CREATE TABLE public.a (id int);");
        Write(folder, "2_b.sql", "CREATE TABLE public.b (id int);");

        var results = await MigrationEngine.RunAsync(Request(database, folder), whatIf: true, NullOperationLog.Instance, default);

        Assert.All(results, r => Assert.Equal(MigrationStatus.Pending, r.Status));
        Assert.Equal(2, results.Count);
        Assert.Equal("f", fixture.Sql(database, HistoryExists));
        Assert.Equal("f", fixture.Sql(database, "SELECT to_regclass('public.a') IS NOT NULL"));
    }

    [Fact]
    public async Task A_history_table_an_older_cli_made_gains_its_columns_and_its_rows_count_as_applied()
    {
        var (database, folder) = await NewAsync();
        fixture.Sql(database, """
            CREATE SCHEMA supabase_migrations;
            CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY);
            INSERT INTO supabase_migrations.schema_migrations VALUES ('1');
            """);
        Write(folder, "1_old.sql", "CREATE TABLE public.never_run (id int);");
        Write(folder, "2_new.sql", "CREATE TABLE public.fresh (id int);");
        var log = new CollectingLog();

        var results = await MigrationEngine.RunAsync(Request(database, folder), whatIf: false, log, default);

        Assert.Equal([MigrationStatus.AlreadyApplied, MigrationStatus.Applied], results.Select(r => r.Status));
        Assert.Null(results[0].RecordedName);
        Assert.Empty(log.Warnings);
        Assert.Equal("false|true", fixture.Sql(database, "SELECT (to_regclass('public.never_run') IS NOT NULL) || '|' || (to_regclass('public.fresh') IS NOT NULL)"));
        Assert.Equal("1|\n2|new", fixture.Sql(database, "SELECT version || '|' || coalesce(name, '') FROM supabase_migrations.schema_migrations ORDER BY version"));
    }

    [Fact]
    public async Task A_recorded_version_under_another_name_and_a_recorded_version_without_a_file_are_reported_not_applied_or_removed()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_first.sql", "CREATE TABLE public.first (id int);");
        await RunAsync(database, folder);
        fixture.Sql(database, "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES ('5', 'from_elsewhere', '{}')");
        File.Move(Path.Combine(folder, "1_first.sql"), Path.Combine(folder, "1_renamed.sql"));
        var log = new CollectingLog();

        var result = Assert.Single(await MigrationEngine.RunAsync(Request(database, folder), whatIf: false, log, default));

        Assert.Equal(MigrationStatus.AlreadyApplied, result.Status);
        Assert.Equal("first", result.RecordedName);
        Assert.Contains(log.Warnings, w => w.Contains("recorded as 'first'", StringComparison.Ordinal) && w.Contains("1_renamed.sql", StringComparison.Ordinal));
        Assert.Contains(log.Warnings, w => w.Contains("5_from_elsewhere", StringComparison.Ordinal));
        Assert.Equal("1|first,5|from_elsewhere", fixture.Sql(database, "SELECT string_agg(version || '|' || name, ',' ORDER BY version) FROM supabase_migrations.schema_migrations"));
    }

    [Fact]
    public async Task A_pending_file_older_than_the_newest_recorded_one_is_applied_with_a_warning()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "20240301000000_later.sql", "CREATE TABLE public.later (id int);");
        await RunAsync(database, folder);
        Write(folder, "20240201000000_earlier.sql", "CREATE TABLE public.earlier (id int);");
        var log = new CollectingLog();

        var results = await MigrationEngine.RunAsync(Request(database, folder), whatIf: false, log, default);

        Assert.Equal([MigrationStatus.Applied, MigrationStatus.AlreadyApplied], results.Select(r => r.Status));
        Assert.Contains(log.Warnings, w => w.Contains("'20240201000000_earlier.sql' is older than the newest recorded migration (20240301000000)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Files_whose_names_are_not_version_underscore_name_are_skipped_with_a_warning()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "seed.sql", "CREATE TABLE public.seeded (id int);");
        Write(folder, "README.md", "not sql");
        Write(folder, "1_real.sql", "CREATE TABLE public.real (id int);");
        var log = new CollectingLog();

        var result = Assert.Single(await MigrationEngine.RunAsync(Request(database, folder), whatIf: false, log, default));

        Assert.Equal("real", result.Name);
        Assert.Contains(log.Warnings, w => w.Contains("'seed.sql'", StringComparison.Ordinal));
        Assert.Equal("f", fixture.Sql(database, "SELECT to_regclass('public.seeded') IS NOT NULL"));
    }

    [Fact]
    public async Task Two_files_with_one_version_stop_the_run_before_anything_is_applied()
    {
        var (database, folder) = await NewAsync();
        Write(folder, "1_a.sql", "CREATE TABLE public.a (id int);");
        Write(folder, "1_b.sql", "CREATE TABLE public.b (id int);");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => RunAsync(database, folder));

        Assert.Equal("MigrationVersionDuplicate", ex.ErrorId);
        Assert.Contains("1_a.sql, 1_b.sql", ex.Message, StringComparison.Ordinal);
        Assert.Equal("f", fixture.Sql(database, HistoryExists));
    }

    [Fact]
    public async Task A_missing_folder_is_named_in_the_error()
    {
        var database = await fixture.NewDatabaseAsync();
        var folder = Path.Combine(fixture.WorkFolder, "no-such-folder");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => RunAsync(database, folder));

        Assert.Equal("MigrationFolderNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Contains(folder, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_runs_at_once_apply_each_file_once()
    {
        var (database, folder) = await NewAsync();
        for (var i = 1; i <= 5; i++)
        {
            Write(folder, $"{i}_step.sql", $"CREATE TABLE public.step_{i} (id int); INSERT INTO public.step_{i} VALUES ({i});");
        }

        var runs = await Task.WhenAll(RunAsync(database, folder), RunAsync(database, folder));

        Assert.Equal(5, runs.SelectMany(r => r).Count(r => r.Status == MigrationStatus.Applied));
        Assert.Equal("5", fixture.Sql(database, "SELECT count(*) FROM supabase_migrations.schema_migrations"));
    }

    private async Task<(string Database, string Folder)> NewAsync() => (await fixture.NewDatabaseAsync(), fixture.NewFolder());

    private MigrationRequest Request(string database, string folder) => new() { ConnectionString = fixture.Server.ConnectionString(database), Folder = folder };

    private Task<IReadOnlyList<MigrationResult>> RunAsync(string database, string folder) =>
        MigrationEngine.RunAsync(Request(database, folder), whatIf: false, NullOperationLog.Instance, default);

    private static void Write(string folder, string name, string sql) => File.WriteAllText(Path.Combine(folder, name), sql);
}
