using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class VercelSettingsTests
{
    private static readonly Hashtable Environment = new()
    {
        ["VERCEL_TOKEN"] = "env-token",
        ["VERCEL_PROJECT_ID"] = "prj_env",
        ["VERCEL_TEAM_ID"] = "team_env",
        ["VERCEL_API_URL"] = "http://127.0.0.1:9/env",
    };

    [Fact]
    public void Explicit_values_win_over_the_file_which_wins_over_the_environment()
    {
        var fromFile = Configuration(new PlatformSettings { VercelProjectId = "prj_file", VercelApiUrl = "http://127.0.0.1:9/file" });

        var environmentOnly = ClientSettings.Vercel(Configuration(new PlatformSettings()), Environment);
        var fileFirst = ClientSettings.Vercel(fromFile, Environment);
        var explicitFirst = ClientSettings.Vercel(fromFile, Environment, new Secret("param-token"), "prj_param", "team_param", "http://127.0.0.1:9/param");

        Assert.Equal(("env-token", "prj_env", "team_env", "http://127.0.0.1:9/env"),
            (environmentOnly.Token.Reveal(), environmentOnly.ProjectId, environmentOnly.TeamId, environmentOnly.ApiUrl.ToString()));
        Assert.Equal(("env-token", "prj_file", "team_env", "http://127.0.0.1:9/file"),
            (fileFirst.Token.Reveal(), fileFirst.ProjectId, fileFirst.TeamId, fileFirst.ApiUrl.ToString()));
        Assert.Equal(("param-token", "prj_param", "team_param", "http://127.0.0.1:9/param"),
            (explicitFirst.Token.Reveal(), explicitFirst.ProjectId, explicitFirst.TeamId, explicitFirst.ApiUrl.ToString()));
    }

    [Fact]
    public void The_API_defaults_to_Vercel_and_the_team_is_optional()
    {
        var settings = ClientSettings.Vercel(new HotmessConfiguration(), new Hashtable { ["VERCEL_TOKEN"] = "t", ["VERCEL_PROJECT_ID"] = "prj" });

        Assert.Equal(VercelSettings.DefaultApiUrl, settings.ApiUrl);
        Assert.Null(settings.TeamId);
    }

    [Fact]
    public void A_missing_token_is_an_authentication_failure_naming_VERCEL_TOKEN()
    {
        var error = Assert.Throws<HotmessException>(() => ClientSettings.Vercel(new HotmessConfiguration(), new Hashtable { ["VERCEL_PROJECT_ID"] = "prj" }));

        Assert.Equal("VercelTokenMissing", error.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, error.Kind);
        Assert.Contains("VERCEL_TOKEN", error.Message);
    }

    [Fact]
    public void A_missing_project_is_an_invalid_argument()
    {
        var error = Assert.Throws<HotmessException>(() => ClientSettings.Vercel(new HotmessConfiguration(), new Hashtable { ["VERCEL_TOKEN"] = "t" }));

        Assert.Equal("VercelProjectMissing", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Theory]
    [InlineData("api.vercel.com")]
    [InlineData("ftp://api.vercel.com")]
    public void A_URL_that_is_not_absolute_http_is_refused(string url)
    {
        var error = Assert.Throws<HotmessException>(() => ClientSettings.Vercel(new HotmessConfiguration(), Environment, apiUrl: url));

        Assert.Equal("VercelApiUrlInvalid", error.ErrorId);
        Assert.Equal(url, error.Target);
    }

    private static HotmessConfiguration Configuration(PlatformSettings platform) => new() { Platform = platform };
}
