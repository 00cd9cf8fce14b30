using Hotmess.Recovery.Database.Migrations;

namespace Hotmess.Recovery.Tests.Database.Migrations;

public sealed class SqlStatementSplitterTests
{
    [Fact]
    public void Splits_at_semicolons_and_trims_each_statement_as_the_cli_records_it()
    {
        var statements = SqlStatementSplitter.Split("create table a (id int);\n\n  insert into a values (1) ;\nselect 1");

        Assert.Equal(["create table a (id int)", "insert into a values (1)", "select 1"], statements.Select(s => s.Text));
    }

    [Fact]
    public void Keeps_semicolons_inside_quotes_identifiers_comments_and_dollar_quoted_bodies()
    {
        const string sql = """
            insert into t values ('a;b', 'it''s; fine');
            create table "odd;name" (id int);
            -- a comment; with a semicolon
            /* block; /* nested; */ still comment; */ select 2;
            create function f() returns int language plpgsql as $body$ begin perform 1; return 1; end $body$;
            do $$ begin raise notice 'x;y'; end $$
            """;

        var statements = SqlStatementSplitter.Split(sql);

        Assert.Equal(5, statements.Count);
        Assert.Equal("insert into t values ('a;b', 'it''s; fine')", statements[0].Text);
        Assert.Equal("create table \"odd;name\" (id int)", statements[1].Text);
        Assert.StartsWith("-- a comment; with a semicolon", statements[2].Text, StringComparison.Ordinal);
        Assert.EndsWith("still comment; */ select 2", statements[2].Text, StringComparison.Ordinal);
        Assert.EndsWith("end $body$", statements[3].Text, StringComparison.Ordinal);
        Assert.Equal("do $$ begin raise notice 'x;y'; end $$", statements[4].Text);
    }

    [Fact]
    public void Keeps_a_begin_atomic_body_with_its_case_expressions_in_one_statement()
    {
        const string sql = """
            create function g(x int) returns int language sql
            begin atomic
              select case when x > 0 then 1 else 0 end;
              select 2;
            end;
            select 3;
            """;

        var statements = SqlStatementSplitter.Split(sql);

        Assert.Equal(2, statements.Count);
        Assert.EndsWith("select 2;\nend", statements[0].Text, StringComparison.Ordinal);
        Assert.Equal("select 3", statements[1].Text);
    }

    [Fact]
    public void Does_not_split_inside_parentheses()
    {
        var statements = SqlStatementSplitter.Split("select (select 1; ) ; select 2");

        Assert.Equal(["select (select 1; )", "select 2"], statements.Select(s => s.Text));
    }

    [Fact]
    public void Marks_a_statement_of_comments_alone_as_having_no_code_and_keeps_it()
    {
        var statements = SqlStatementSplitter.Split("select 1;\n-- the end\n");

        Assert.Equal(2, statements.Count);
        Assert.True(statements[0].HasCode);
        Assert.Equal("-- the end", statements[1].Text);
        Assert.False(statements[1].HasCode);
    }

    [Fact]
    public void Gives_each_statement_the_offset_of_its_first_character_in_the_file()
    {
        const string sql = "select 1;\n  select 2;";

        var statements = SqlStatementSplitter.Split(sql);

        Assert.Equal(0, statements[0].Offset);
        Assert.Equal(sql.IndexOf("select 2", StringComparison.Ordinal), statements[1].Offset);
    }

    [Fact]
    public void Drops_empty_statements()
    {
        Assert.Equal(["select 1"], SqlStatementSplitter.Split(";; select 1;;\n ;").Select(s => s.Text));
    }
}
