using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Tests.Common;

public sealed class ConnectionStringTextTests
{
    [Theory]
    [InlineData("postgresql://postgres:s3cr3t@db.abcd.supabase.co:5432/postgres", "postgresql://postgres:****@db.abcd.supabase.co:5432/postgres")]
    [InlineData("postgres://postgres:s3cr3t@with@at@db.example.com/postgres", "postgres://postgres:****@db.example.com/postgres")]
    [InlineData("postgresql://postgres@db.example.com/postgres?sslmode=require&password=s3cr3t", "postgresql://postgres@db.example.com/postgres?sslmode=require&password=****")]
    [InlineData("postgresql://postgres@db.example.com/postgres?Password=s3cr3t&sslmode=require", "postgresql://postgres@db.example.com/postgres?Password=****&sslmode=require")]
    [InlineData("Host=db.example.com;Username=postgres;Password=s3cr3t;Database=postgres", "Host=db.example.com;Username=postgres;Password=****;Database=postgres")]
    [InlineData("Host=db.example.com;pwd=s3cr3t", "Host=db.example.com;pwd=****")]
    [InlineData("Host=db.example.com; PSW = s3cr3t ;Database=d", "Host=db.example.com; PSW = ****;Database=d")]
    [InlineData("Host=db.example.com;Password=\"s3cr3t;with;semicolons\";Database=d", "Host=db.example.com;Password=****;Database=d")]
    [InlineData("Host=db.example.com;Password='s3cr3t;x';SSL Password=s3cr3t2", "Host=db.example.com;Password=****;SSL Password=****")]
    [InlineData("host=db.example.com user=postgres password='s3cr3t with spaces' dbname=postgres", "host=db.example.com user=postgres password=**** dbname=postgres")]
    [InlineData("host=db.example.com password=s3cr3t", "host=db.example.com password=****")]
    public void Every_form_of_password_is_masked_and_the_rest_kept(string text, string expected)
    {
        Assert.Equal(expected, ConnectionStringText.RedactPasswords(text));
        Assert.True(ConnectionStringText.HasPassword(text));
    }

    [Theory]
    [InlineData("Host=db.example.com;Username=postgres;Database=postgres;Passfile=/home/u/.pgpass")]
    [InlineData("postgresql://postgres@db.example.com/postgres?sslmode=require")]
    [InlineData("Host=db.example.com;Password=")]
    [InlineData("")]
    [InlineData(null)]
    public void A_string_without_a_password_has_none(string? text)
    {
        Assert.False(ConnectionStringText.HasPassword(text));
    }

    [Theory]
    [InlineData("postgresql://postgres:s3cr3t@db.abcd.supabase.co:5432/postgres", "db.abcd.supabase.co")]
    [InlineData("postgresql://u:p@h1:5432,h2:5433/db", "h1,h2")]
    [InlineData("postgresql:///postgres?host=/var/run/postgresql", "/var/run/postgresql")]
    [InlineData("Host=db.example.com;Port=5432;Password=x", "db.example.com")]
    [InlineData("Server='db.example.com';Password=x", "db.example.com")]
    [InlineData("host=db.example.com user=u", "db.example.com")]
    public void The_host_is_read_from_every_form(string text, string expected)
    {
        Assert.Equal(expected, ConnectionStringText.Host(text));
    }
}
