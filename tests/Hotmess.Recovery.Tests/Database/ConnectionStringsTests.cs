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
