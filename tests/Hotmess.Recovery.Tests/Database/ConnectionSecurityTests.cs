using Hotmess.Recovery.Database;
using Npgsql;

namespace Hotmess.Recovery.Tests.Database;

public sealed class ConnectionSecurityTests
{
    [Theory]
    [InlineData("127.0.0.1", SslMode.Prefer)]
    [InlineData("127.8.9.10", SslMode.Prefer)]
    [InlineData("::1", SslMode.Prefer)]
    [InlineData("[::1]", SslMode.Prefer)]
    [InlineData("localhost", SslMode.Prefer)]
    [InlineData("/tmp", SslMode.Prefer)]
    [InlineData("/var/run/postgresql", SslMode.Prefer)]
    [InlineData("db.abcd.supabase.co", SslMode.VerifyFull)]
    [InlineData("10.0.0.5", SslMode.VerifyFull)]
    [InlineData("localhost.evil.example", SslMode.VerifyFull)]
    [InlineData("127.0.0.1,db.abcd.supabase.co", SslMode.VerifyFull)]
    public void Non_local_connections_default_to_verify_full_and_local_ones_stay_as_they_were(string host, SslMode expected)
    {
        var decision = ConnectionSecurity.Decide(host, requested: null);

        Assert.Equal(expected, decision.Mode);
        Assert.Null(decision.Warning);
    }

    [Theory]
    [InlineData(SslMode.Require)]
    [InlineData(SslMode.Prefer)]
    [InlineData(SslMode.Disable)]
    [InlineData(SslMode.VerifyCA)]
    public void An_explicit_weaker_mode_is_honoured_with_a_warning_on_a_remote_host(SslMode requested)
    {
        var remote = ConnectionSecurity.Decide("db.abcd.supabase.co", requested);
        var local = ConnectionSecurity.Decide("127.0.0.1", requested);

        Assert.Equal(requested, remote.Mode);
        Assert.Contains("db.abcd.supabase.co", remote.Warning);
        Assert.Contains("VerifyFull", remote.Warning);
        Assert.Equal(requested, local.Mode);
        Assert.Null(local.Warning);
    }

    [Fact]
    public void A_parsed_remote_connection_verifies_and_libpq_is_told_the_same()
    {
        var builder = ConnectionStrings.Parse("postgresql://postgres:pw@db.abcd.supabase.co:5432/postgres?sslrootcert=/etc/hotmess/supabase.crt");

        var environment = ConnectionStrings.ToLibpqEnvironment(builder);

        Assert.Equal(SslMode.VerifyFull, builder.SslMode);
        Assert.Equal("verify-full", environment["PGSSLMODE"]);
        Assert.Equal("/etc/hotmess/supabase.crt", environment["PGSSLROOTCERT"]);
        Assert.Null(ConnectionSecurity.Warning(builder));
    }

    [Fact]
    public void A_root_certificate_in_Npgsql_keywords_reaches_libpq()
    {
        var builder = ConnectionStrings.Parse("Host=db.abcd.supabase.co;Username=postgres;Root Certificate=/etc/hotmess/supabase.crt");

        Assert.Equal("/etc/hotmess/supabase.crt", ConnectionStrings.ToLibpqEnvironment(builder)["PGSSLROOTCERT"]);
    }

    [Fact]
    public void An_explicit_ssl_mode_in_the_string_is_honoured_and_warned_about()
    {
        var keywords = ConnectionStrings.Parse("Host=db.abcd.supabase.co;Username=postgres;SSL Mode=Require");
        var uri = ConnectionStrings.Parse("postgresql://postgres@db.abcd.supabase.co/postgres?sslmode=require");

        Assert.Equal(SslMode.Require, keywords.SslMode);
        Assert.Equal(SslMode.Require, uri.SslMode);
        Assert.NotNull(ConnectionSecurity.Warning(keywords));
        Assert.Equal("require", ConnectionStrings.ToLibpqEnvironment(uri)["PGSSLMODE"]);
    }

    [Fact]
    public void A_loopback_connection_keeps_prefer_and_names_no_root_certificate()
    {
        var builder = ConnectionStrings.Parse("Host=127.0.0.1;Username=postgres");

        var environment = ConnectionStrings.ToLibpqEnvironment(builder);

        Assert.Equal(SslMode.Prefer, builder.SslMode);
        Assert.Equal("prefer", environment["PGSSLMODE"]);
        Assert.False(environment.ContainsKey("PGSSLROOTCERT"));
    }
}
