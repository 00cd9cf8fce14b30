using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Retention;

namespace Hotmess.Recovery.Tests.Retention;

public sealed class RetentionSettingsTests
{
    [Fact]
    public void A_configuration_without_a_retention_section_has_no_policy()
    {
        var configuration = Json.Deserialize<HotmessConfiguration>("""{ "repository": "/var/backups/hotmess" }""");

        Assert.Null(configuration.Retention.ToPolicy());
    }

    [Fact]
    public void The_retention_section_is_read_with_restic_style_durations()
    {
        var configuration = Json.Deserialize<HotmessConfiguration>(
            """{ "retention": { "keepLast": 3, "keepDaily": 7, "keepWithin": "36h" } }""");

        Assert.Equal(new RetentionPolicy { KeepLast = 3, KeepDaily = 7, KeepWithin = TimeSpan.FromHours(36) }, configuration.Retention.ToPolicy());
    }

    [Fact]
    public void The_plan_default_is_named_in_the_configuration_and_its_counts_can_be_overridden()
    {
        var plain = Json.Deserialize<HotmessConfiguration>("""{ "retention": { "preset": "weeklyManualBackups" } }""");
        var overridden = Json.Deserialize<HotmessConfiguration>("""{ "retention": { "preset": "weeklyManualBackups", "keepMonthly": 24 } }""");

        Assert.Equal(new RetentionPolicy { KeepWeekly = 8, KeepMonthly = 12, KeepWithin = TimeSpan.FromDays(7) }, plain.Retention.ToPolicy());
        Assert.Equal(RetentionPolicy.WeeklyManualBackups with { KeepMonthly = 24 }, overridden.Retention.ToPolicy());
    }

    [Theory]
    [InlineData("7d", 7 * 24)]
    [InlineData("2w", 14 * 24)]
    [InlineData("12h", 12)]
    [InlineData("7.00:00:00", 7 * 24)]
    public void Durations_are_read_in_days_weeks_hours_or_as_a_timespan(string text, int hours)
    {
        Assert.Equal(TimeSpan.FromHours(hours), RetentionSettings.ParseDuration(text));
    }

    [Theory]
    [InlineData("""{ "retention": { "keepWithin": "a week" } }""")]
    [InlineData("""{ "retention": { "preset": "forever" } }""")]
    public void A_retention_section_that_cannot_be_read_says_what_is_wrong(string json)
    {
        var configuration = Json.Deserialize<HotmessConfiguration>(json);

        var ex = Assert.Throws<HotmessException>(() => configuration.Retention.ToPolicy());
        Assert.Equal("ConfigurationInvalid", ex.ErrorId);
    }
}
