using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Settings;

namespace Hotmess.Recovery.Tests.Settings;

public sealed class RunbookSettingsTests
{
    private static readonly Hashtable Environment = new()
    {
        ["VERCEL_PROJECT_ID"] = "prj_from_environment",
        ["VERCEL_TOKEN"] = "token-from-environment",
        ["HOTMESS_SITE_URL"] = "",
    };

    [Fact]
    public void An_automation_variable_wins_over_the_environment_and_an_empty_one_falls_back()
    {
        var automation = new Dictionary<string, string?> { ["VERCEL_TOKEN"] = "token-from-automation", ["VERCEL_PROJECT_ID"] = "" };

        var settings = RunbookSettings.Resolve(["VERCEL_TOKEN", "VERCEL_PROJECT_ID"], n => automation.GetValueOrDefault(n), Environment, required: true);

        Assert.Equal(("token-from-automation", SettingSource.AutomationVariable), (settings[0].Value.Reveal(), settings[0].Source));
        Assert.Equal(("prj_from_environment", SettingSource.Environment), (settings[1].Value.Reveal(), settings[1].Source));
    }

    [Fact]
    public void Outside_azure_automation_settings_come_from_the_environment()
    {
        var settings = RunbookSettings.Resolve(["VERCEL_PROJECT_ID"], null, Environment, required: false);

        Assert.Equal(SettingSource.Environment, Assert.Single(settings).Source);
    }

    [Fact]
    public void A_missing_required_setting_is_an_error_naming_every_missing_one()
    {
        var error = Assert.Throws<HotmessException>(() =>
            RunbookSettings.Resolve(["VERCEL_TOKEN", "HOTMESS_SITE_URL", "STRIPE_SECRET_KEY"], _ => null, Environment, required: true));

        Assert.Equal("SettingMissing", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Contains("HOTMESS_SITE_URL, STRIPE_SECRET_KEY", error.Message);
        Assert.Equal(new[] { "HOTMESS_SITE_URL", "STRIPE_SECRET_KEY" }, error.Target);
        Assert.DoesNotContain("token-from-environment", error.Message);
    }

    [Fact]
    public void A_missing_optional_setting_is_left_out()
    {
        var settings = RunbookSettings.Resolve(["HOTMESS_SITE_URL", "VERCEL_PROJECT_ID"], null, Environment, required: false);

        Assert.Equal("VERCEL_PROJECT_ID", Assert.Single(settings).Name);
    }

    [Fact]
    public void The_plans_secrets_are_always_handed_out_as_secrets()
    {
        var settings = RunbookSettings.Resolve(["VERCEL_TOKEN", "VERCEL_PROJECT_ID"], null, Environment, required: true);
        var asked = RunbookSettings.Resolve(["VERCEL_PROJECT_ID"], null, Environment, required: true, secret: true);

        Assert.True(settings[0].IsSecret);
        Assert.False(settings[1].IsSecret);
        Assert.True(asked[0].IsSecret);
        Assert.Equal("****", settings[0].Value.ToString());
    }
}
