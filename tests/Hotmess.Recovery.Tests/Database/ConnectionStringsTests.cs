using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;

namespace Hotmess.Recovery.Tests.Database;

public sealed class ConnectionStringsTests
{
    [Fact]
    public void A_supabase_uri_becomes_npgsql_settings()
    {
        var builder = ConnectionStrings.Parse("postgresql://postgres.abc:p%40ss%3Aword@db.abc.supabase.co:6543/postgres?sslmode=require");
        Assert.Equal("db.abc.supabase.co", builder.Host);
        Assert.Equal(6543, builder.Port);
        Assert.Equal("postgres.abc", builder.Username);
        Assert.Equal("p@ss:word", builder.Password);
        Assert.Equal(Npgsql.SslMode.Require, builder.SslMode);
    }

    [Fact]
    public void Redaction_keeps_the_place_and_drops_the_password()
    {
        var builder = ConnectionStrings.Parse("Host=h;Port=5433;Database=d;Username=u;Password=s3cret");
        Assert.Equal("Host=h;Port=5433;Database=d;Username=u", ConnectionStrings.Redact(builder));
        Assert.Equal("s3cret", ConnectionStrings.ToLibpqEnvironment(builder)["PGPASSWORD"]);
    }

    [Theory]
    [InlineData("x=y", "dbname='x=y' host='127.0.0.1' port='5432' user='postgres'")]
    [InlineData("postgresql://evil", "dbname='postgresql://evil' host='127.0.0.1' port='5432' user='postgres'")]
    [InlineData(@"it's a back\slash", @"dbname='it\'s a back\\slash' host='127.0.0.1' port='5432' user='postgres'")]
    public void The_dbname_given_to_the_tools_is_a_quoted_conninfo_so_a_name_stays_a_name(string database, string expected)
    {
        var builder = ConnectionStrings.Parse("Host=127.0.0.1;Username=postgres;Password=s3cret");
        builder.Database = database;

        var conninfo = ConnectionStrings.ToConninfo(builder);

        Assert.Equal(expected, conninfo);
        Assert.DoesNotContain("s3cret", conninfo);
    }

    [Fact]
    public void The_tools_environment_carries_no_connection_target_that_could_be_overridden()
    {
        var environment = ConnectionStrings.ToLibpqEnvironment(ConnectionStrings.Parse("Host=127.0.0.1;Username=postgres;Password=s3cret"));

        Assert.Equal(["PGAPPNAME", "PGCONNECT_TIMEOUT", "PGPASSWORD", "PGSSLMODE"], environment.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_password_in_the_uri_query_is_read()
    {
        Assert.Equal("s3cret", ConnectionStrings.Parse("postgresql://postgres@127.0.0.1/postgres?password=s3cret").Password);
    }

    [Fact]
    public void A_password_from_the_environment_fills_a_string_without_one()
    {
        Assert.Equal("fallback", ConnectionStrings.Parse("Host=h;Username=u", "fallback").Password);
        Assert.Equal("own", ConnectionStrings.Parse("Host=h;Username=u;Password=own", "fallback").Password);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Database=d")]
    [InlineData("Host=h;Bogus Keyword=Password=s3cret")]
    public void Unusable_strings_are_argument_errors_that_never_quote_the_text(string text)
    {
        var ex = Assert.Throws<HotmessException>(() => ConnectionStrings.Parse(text));
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.DoesNotContain("s3cret", ex.Message);
    }
}
