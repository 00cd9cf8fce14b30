using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Tests.Alerting;

public sealed class AlertingSettingsTests
{
    private static AlertingSettings Read(string alerting) =>
        Json.Deserialize<HotmessConfiguration>($$"""{ "alerting": {{alerting}} }""").Alerting;

    [Fact]
    public void A_row_of_the_escalation_table_overrides_the_plan_and_the_other_rows_stay_the_plans()
    {
        var settings = Read("""{ "escalation": { "High": { "responseTime": "15m", "channels": ["Phone", "Email"] } } }""");

        Assert.Equal(TimeSpan.FromMinutes(15), settings.LevelOf(AlertSeverity.High).ResponseTimeSpan(AlertSeverity.High));
        Assert.Equal([AlertChannel.Phone, AlertChannel.Email], settings.LevelOf(AlertSeverity.High).Channels);
        Assert.Equal([AlertChannel.Phone, AlertChannel.Slack], settings.LevelOf(AlertSeverity.Critical).Channels);
        Assert.Equal(TimeSpan.FromHours(2), settings.LevelOf(AlertSeverity.Medium).ResponseTimeSpan(AlertSeverity.Medium));
        Assert.Equal("Supabase Support", settings.EffectiveContacts[1].Contact);
    }

    [Theory]
    [InlineData("""{ "failureThreshold": 0 }""", "failureThreshold")]
    [InlineData("""{ "escalation": { "Medium": { "responseTime": "soon" } } }""", "responseTime 'soon'")]
    [InlineData("""{ "escalation": { "Low": { "channels": [] } } }""", "has no channels")]
    [InlineData("""{ "businessHours": { "timeZone": "Mars/Olympus" } }""", "Mars/Olympus")]
    [InlineData("""{ "businessHours": { "start": "18:00", "end": "09:00" } }""", "not before end")]
    public void A_mistake_in_the_section_is_refused_naming_it(string alerting, string named)
    {
        var ex = Assert.Throws<HotmessException>(() => Read(alerting).Validate());

        Assert.Equal("ConfigurationInvalid", ex.ErrorId);
        Assert.Contains(named, ex.Message);
    }

    [Theory]
    [InlineData("2026-12-07T08:59:00Z", false)] // Monday 08:59 GMT
    [InlineData("2026-12-07T09:00:00Z", true)]
    [InlineData("2026-12-07T16:59:00Z", true)]
    [InlineData("2026-12-07T17:00:00Z", false)]
    [InlineData("2026-12-05T12:00:00Z", false)] // Saturday
    [InlineData("2026-07-06T08:30:00Z", true)] // Monday 09:30 BST
    public void Business_hours_are_read_in_the_teams_own_time_zone(string utc, bool inside)
    {
        Assert.Equal(inside, new BusinessHours().At(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)).Inside);
    }
}
