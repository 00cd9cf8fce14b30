using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Tests.Configuration;

public sealed class ConfigurationLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("hotmess-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private Hashtable Environment() => new() { ["XDG_CONFIG_HOME"] = Path.Combine(_folder, "config"), ["HOME"] = _folder };

    private string Write(string json, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, string? path = null)
    {
        path ??= Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, json);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }

        return path;
    }

    [Fact]
    public void The_users_own_config_folder_is_read()
    {
        var path = Write("""{ "repository": "/own" }""", path: Path.Combine(_folder, "config", "hotmess", "hotmess.json"));

        var configuration = ConfigurationLoader.Load(null, Environment());

        Assert.Equal(path, configuration.SourcePath);
        Assert.Equal("/own", configuration.Repository);
    }

    [Fact]
    public void Without_XDG_CONFIG_HOME_the_config_folder_is_under_home()
    {
        Assert.Equal(Path.Combine(_folder, ".config", "hotmess", "hotmess.json"), ConfigurationLoader.UserConfigurationPath(new Hashtable { ["HOME"] = _folder }));
    }

    [Fact]
    public void A_file_only_its_owner_can_write_is_accepted()
    {
        var path = Write("""{ "repository": "/private" }""");

        Assert.Equal("/private", ConfigurationLoader.Load(path, Environment()).Repository);
    }

    [Theory]
    [InlineData(UnixFileMode.OtherWrite)]
    [InlineData(UnixFileMode.GroupWrite)]
    public void A_file_that_other_users_can_write_is_refused_with_the_fix(UnixFileMode extra)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var path = Write("""{ "repository": "/shared" }""", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead | extra);

        var error = Assert.Throws<HotmessException>(() => ConfigurationLoader.Load(path, Environment()));

        Assert.Equal("ConfigurationWritableByOthers", error.ErrorId);
        Assert.Equal(FailureKind.PermissionDenied, error.Kind);
        Assert.Contains(path, error.Message);
        Assert.Contains("chmod go-w", error.Message);
    }

    [Fact]
    public void A_file_named_by_HOTMESS_CONFIG_that_others_can_write_is_refused()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var environment = Environment();
        environment["HOTMESS_CONFIG"] = Write("{}", (UnixFileMode)0b110_110_110);

        Assert.Equal("ConfigurationWritableByOthers", Assert.Throws<HotmessException>(() => ConfigurationLoader.Load(null, environment)).ErrorId);
    }

    [Fact]
    public void A_file_owned_by_another_user_is_refused()
    {
        if (OperatingSystem.IsWindows() || System.Environment.UserName != "root")
        {
            return;
        }

        var path = Write("{}");
        using (var chown = System.Diagnostics.Process.Start("chown", ["65534", path]))
        {
            chown.WaitForExit();
        }

        var error = Assert.Throws<HotmessException>(() => ConfigurationLoader.Load(path, Environment()));

        Assert.Equal("ConfigurationWritableByOthers", error.ErrorId);
        Assert.Contains("65534", error.Message);
    }

    [Theory]
    [InlineData("postgresql://postgres:s3cr3t@db.example.com/postgres")]
    [InlineData("postgresql://postgres@db.example.com/postgres?password=s3cr3t")]
    [InlineData("Host=db.example.com;pwd=s3cr3t")]
    public void A_file_holding_a_database_password_in_any_form_is_refused(string connectionString)
    {
        var path = Write(Json.Serialize(new { database = new { connectionString } }));

        var error = Assert.Throws<HotmessException>(() => ConfigurationLoader.Load(path, Environment()));

        Assert.Equal("ConfigurationHoldsSecret", error.ErrorId);
        Assert.DoesNotContain("s3cr3t", error.Message);
    }

    [Fact]
    public void A_file_that_moves_a_secrets_destination_is_told_with_setting_file_and_host()
    {
        var path = Write("""
            {
              "database": { "connectionString": "Host=db.elsewhere.example;Username=postgres" },
              "platform": { "stripeApiUrl": "https://user:token@stripe.elsewhere.example/v1", "siteUrl": "https://site.example" }
            }
            """);
        var lines = new List<string>();

        ConfigurationLoader.Load(path, Environment(), lines.Add);

        var stripe = Assert.Single(lines, l => l.Contains("platform.stripeApiUrl"));
        Assert.Contains(path, stripe);
        Assert.Contains("'stripe.elsewhere.example'", stripe);
        Assert.DoesNotContain("token", stripe);
        Assert.Single(lines, l => l.Contains("database.connectionString") && l.Contains("'db.elsewhere.example'"));
        Assert.DoesNotContain(lines, l => l.Contains("vercelApiUrl") || l.Contains("resendApiUrl") || l.Contains("siteUrl"));
    }

    [Fact]
    public void Destinations_from_the_environment_are_not_told_as_the_files()
    {
        var path = Write("""{ "repository": "/r" }""");
        var environment = Environment();
        environment["STRIPE_API_URL"] = "https://stripe.from-the-environment.example";
        var lines = new List<string>();

        var configuration = ConfigurationLoader.Load(path, environment, lines.Add);

        Assert.Equal("https://stripe.from-the-environment.example", configuration.Platform.StripeApiUrl);
        Assert.DoesNotContain(lines, l => l.Contains("stripe"));
    }

    [Fact]
    public void The_shown_configuration_masks_a_password_from_the_environment()
    {
        var environment = Environment();
        environment["HOTMESS_DATABASE_URL"] = "postgresql://postgres:s3cr3t@db.example.com/postgres";
        var configuration = ConfigurationLoader.Load(null, environment);

        var shown = configuration.Redacted();

        Assert.Equal("postgresql://postgres:****@db.example.com/postgres", shown.Database.ConnectionString);
        Assert.Equal("postgresql://postgres:s3cr3t@db.example.com/postgres", configuration.Database.ConnectionString);
    }
}
