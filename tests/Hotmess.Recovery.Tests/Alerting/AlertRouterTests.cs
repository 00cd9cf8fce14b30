using System.Collections;
using System.Text.Json;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Fakes.PagerDuty;
using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Alerting;

/// <summary>Send-HotmessAlert's engine against the PagerDuty, Slack and Resend fakes, on a fake clock.</summary>
public sealed class AlertRouterTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    // A Tuesday, 14:00 in London (GMT in winter): inside business hours.
    private static readonly DateTimeOffset Tuesday = new(2026, 12, 1, 14, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Tuesday);
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "hotmess-alerts-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HotmessConfiguration _configuration = new()
    {
        Alerting = new AlertingSettings { Email = new AlertEmailSettings { From = "alerts@hotmess.london", To = ["oncall@hotmess.london"] } },
    };

    private Hashtable _environment = null!;

    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.PostAsync("__fake/pagerduty/reset", new { });
        _environment = new Hashtable
        {
            [AlertSenders.RoutingKeyVariable] = PagerDutyFake.DefaultRoutingKey,
            [AlertSenders.EventsUrlVariable] = fake.Url("pagerduty").ToString(),
            [AlertSenders.SlackWebhookVariable] = fake.SlackWebhook().ToString(),
            [AlertSenders.ResendKeyVariable] = PlatformFakes.ResendKey.Reveal(),
        };
        _configuration.Platform.ResendApiUrl = fake.Url("resend").ToString();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_repository, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(AlertSeverity.Critical, new[] { AlertChannel.Phone, AlertChannel.Slack })]
    [InlineData(AlertSeverity.High, new[] { AlertChannel.Slack, AlertChannel.Email })]
    [InlineData(AlertSeverity.Medium, new[] { AlertChannel.Email })]
    public async Task Each_severity_is_sent_on_the_channels_of_its_row_of_the_escalation_table(AlertSeverity severity, AlertChannel[] channels)
    {
        var sent = await RunAsync(Failing("Site", severity));

        Assert.Equal(channels, sent.Select(d => d.Channel));
        Assert.All(sent, d => Assert.Equal(AlertDeliveryStatus.Sent, d.Status));
        Assert.Equal(channels.Contains(AlertChannel.Phone) ? 1 : 0, (await Events()).Count);
        Assert.Equal(channels.Contains(AlertChannel.Slack) ? 1 : 0, (await fake.GetAsync("__fake/slack/messages")).GetArrayLength());
        Assert.Equal(channels.Contains(AlertChannel.Email) ? 1 : 0, (await fake.GetAsync("__fake/resend/emails")).GetArrayLength());
    }

    [Fact]
    public async Task Three_failing_runs_raise_one_alert_not_three()
    {
        var first = await RunAsync(Failing("DatabaseConnections", AlertSeverity.High));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var second = await RunAsync(Failing("DatabaseConnections", AlertSeverity.High));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var third = await RunAsync(Failing("DatabaseConnections", AlertSeverity.High));

        Assert.Equal(2, first.Count);
        Assert.Empty(second);
        Assert.Empty(third);
        Assert.Equal(1, (await fake.GetAsync("__fake/slack/messages")).GetArrayLength());
        Assert.Equal(1, (await fake.GetAsync("__fake/resend/emails")).GetArrayLength());
    }

    [Fact]
    public async Task A_problem_that_outlives_its_response_time_is_reminded_on_the_next_severitys_channels()
    {
        await RunAsync(Failing("StripeWebhooks", AlertSeverity.High));
        _clock.Advance(TimeSpan.FromMinutes(29));
        var early = await RunAsync(Failing("StripeWebhooks", AlertSeverity.High));
        _clock.Advance(TimeSpan.FromMinutes(2));
        var reminder = await RunAsync(Failing("StripeWebhooks", AlertSeverity.High));

        Assert.Empty(early);
        Assert.Equal([AlertChannel.Phone, AlertChannel.Slack], reminder.Select(d => d.Channel));
        Assert.All(reminder, d => Assert.Equal((AlertKind.Reminder, AlertSeverity.Critical), (d.Kind, d.Severity)));
        var page = Assert.Single(await Events());
        Assert.Equal("critical", page.GetProperty("payload").GetProperty("severity").GetString());
        Assert.Contains("Technical Lead", page.GetProperty("payload").GetProperty("custom_details").GetProperty("emergency_contacts").GetString());

        // Escalated to Critical, the next reminder waits for Critical's reminder interval, not High's 30 minutes.
        _clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Empty(await RunAsync(Failing("StripeWebhooks", AlertSeverity.High)));
    }

    [Theory]
    [InlineData(AlertSeverity.Medium, 120, AlertSeverity.High, new[] { AlertChannel.Slack, AlertChannel.Email })]
    [InlineData(AlertSeverity.Critical, 15, AlertSeverity.Critical, new[] { AlertChannel.Phone, AlertChannel.Slack })]
    public async Task A_reminder_climbs_one_severity_after_the_response_time_and_Critical_is_reminded_on_its_own_channels(
        AlertSeverity severity, int minutes, AlertSeverity remindedAt, AlertChannel[] channels)
    {
        var alert = await RunAsync(Failing("DatabaseConnections", severity));
        _clock.Advance(TimeSpan.FromMinutes(minutes - 1));
        var early = await RunAsync(Failing("DatabaseConnections", severity));
        _clock.Advance(TimeSpan.FromMinutes(1));
        var reminder = await RunAsync(Failing("DatabaseConnections", severity));

        Assert.Empty(early);
        Assert.Equal(channels, reminder.Select(d => d.Channel));
        Assert.All(reminder, d => Assert.Equal((AlertKind.Reminder, remindedAt, AlertDeliveryStatus.Sent, alert[0].DedupKey), (d.Kind, d.Severity, d.Status, d.DedupKey)));
    }

    [Fact]
    public async Task A_healthy_check_resolves_its_alert_on_the_channels_that_were_alerted_with_the_same_dedup_key()
    {
        var alert = await RunAsync(Failing("Site", AlertSeverity.Critical));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var resolved = await RunAsync(Healthy("Site"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var after = await RunAsync(Healthy("Site"));

        Assert.Equal([AlertChannel.Phone, AlertChannel.Slack], resolved.Select(d => d.Channel));
        Assert.All(resolved, d => Assert.Equal(AlertKind.Resolved, d.Kind));
        Assert.Empty(after);
        var events = await Events();
        Assert.Equal(["trigger", "resolve"], events.Select(e => e.GetProperty("event_action").GetString()));
        Assert.Equal(alert[0].DedupKey, events[1].GetProperty("dedup_key").GetString());
        Assert.Equal("resolved", Assert.Single((await fake.GetAsync("__fake/pagerduty/alerts")).EnumerateArray()).GetProperty("status").GetString());
        Assert.StartsWith("[Resolved] Site", (await fake.GetAsync("__fake/slack/messages"))[1].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_problem_that_fails_again_while_its_resolve_is_owed_keeps_its_incident_and_leaves_nothing_open()
    {
        var alert = await RunAsync(Failing("Site", AlertSeverity.Critical));
        await fake.PostAsync("__fake/pagerduty/outage", new { count = 1 });
        _clock.Advance(TimeSpan.FromMinutes(5));
        var resolved = await RunAsync(Healthy("Site"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var again = await RunAsync(Failing("Site", AlertSeverity.Critical));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var healthy = await RunAsync(Healthy("Site"));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var after = await RunAsync(Healthy("Site"));

        Assert.Equal(AlertDeliveryStatus.Failed, Assert.Single(resolved, d => d.Channel == AlertChannel.Phone).Status);
        var back = Assert.Single(again);
        Assert.Equal((AlertChannel.Slack, AlertKind.Alert, alert[0].DedupKey), (back.Channel, back.Kind, back.DedupKey));
        Assert.Equal([AlertChannel.Phone, AlertChannel.Slack], healthy.Select(d => d.Channel));
        Assert.All(healthy, d => Assert.Equal((AlertKind.Resolved, AlertDeliveryStatus.Sent, alert[0].DedupKey), (d.Kind, d.Status, d.DedupKey)));
        Assert.Empty(after);
        Assert.All(await Events(), e => Assert.Equal(alert[0].DedupKey, e.GetProperty("dedup_key").GetString()));
        Assert.Equal("resolved", Assert.Single((await fake.GetAsync("__fake/pagerduty/alerts")).EnumerateArray()).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("revoked", "SlackWebhookGone")]
    [InlineData("rate-limit", "SlackRateLimited")]
    public async Task A_failing_channel_does_not_stop_the_others_and_is_retried_next_run(string failure, string errorId)
    {
        if (failure == "rate-limit")
        {
            await fake.PostAsync("__fake/slack/rate-limit", new { count = 1, retryAfterSeconds = 0 });
        }
        else
        {
            await fake.PostAsync("__fake/slack/webhooks", new { path = Hotmess.Recovery.Fakes.Slack.SlackFake.DefaultWebhookPath, state = failure });
        }

        var first = await RunAsync(Failing("DatabaseResources", AlertSeverity.High));
        await fake.PostAsync("__fake/slack/reset", new { });
        _clock.Advance(TimeSpan.FromMinutes(5));
        var second = await RunAsync(Failing("DatabaseResources", AlertSeverity.High));
        _clock.Advance(TimeSpan.FromMinutes(5));
        var third = await RunAsync(Failing("DatabaseResources", AlertSeverity.High));

        var slack = Assert.Single(first, d => d.Channel == AlertChannel.Slack);
        Assert.Equal((AlertDeliveryStatus.Failed, errorId), (slack.Status, slack.ErrorId));
        Assert.Equal(AlertDeliveryStatus.Sent, Assert.Single(first, d => d.Channel == AlertChannel.Email).Status);
        var retried = Assert.Single(second);
        Assert.Equal((AlertChannel.Slack, AlertKind.Alert, AlertDeliveryStatus.Sent), (retried.Channel, retried.Kind, retried.Status));
        Assert.Empty(third);
        Assert.Equal(1, (await fake.GetAsync("__fake/resend/emails")).GetArrayLength());
    }

    [Fact]
    public async Task A_channel_that_is_not_configured_fails_visibly_and_the_others_still_send()
    {
        _environment.Remove(AlertSenders.RoutingKeyVariable);

        var sent = await RunAsync(Failing("Site", AlertSeverity.Critical));

        var phone = Assert.Single(sent, d => d.Channel == AlertChannel.Phone);
        Assert.Equal((AlertDeliveryStatus.Failed, "AlertChannelNotConfigured"), (phone.Status, phone.ErrorId));
        Assert.Contains("PAGERDUTY_ROUTING_KEY", phone.Error);
        Assert.Equal(AlertDeliveryStatus.Sent, Assert.Single(sent, d => d.Channel == AlertChannel.Slack).Status);
    }

    [Fact]
    public async Task Low_problems_wait_for_one_daily_digest_sent_inside_business_hours()
    {
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero)); // Saturday
        var weekend = await RunAsync(Failing("DrillFreshness", AlertSeverity.Low), Failing("OtherLowCheck", AlertSeverity.Low));
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 7, 7, 30, 0, TimeSpan.Zero)); // Monday 07:30 London
        var early = await RunAsync(Failing("DrillFreshness", AlertSeverity.Low), Failing("OtherLowCheck", AlertSeverity.Low));
        _clock.SetUtcNow(new DateTimeOffset(2026, 12, 7, 9, 5, 0, TimeSpan.Zero)); // Monday 09:05 London
        var digest = await RunAsync(Failing("DrillFreshness", AlertSeverity.Low), Failing("OtherLowCheck", AlertSeverity.Low));
        _clock.Advance(TimeSpan.FromHours(2));
        var later = await RunAsync(Failing("DrillFreshness", AlertSeverity.Low), Failing("OtherLowCheck", AlertSeverity.Low));

        Assert.Empty(weekend);
        Assert.Empty(early);
        var sent = Assert.Single(digest);
        Assert.Equal((AlertKind.Digest, AlertChannel.Email, "DrillFreshness, OtherLowCheck"), (sent.Kind, sent.Channel, sent.Check));
        Assert.Empty(later);
        var email = Assert.Single((await fake.GetAsync("__fake/resend/emails")).EnumerateArray());
        Assert.Contains("2 open problems", email.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Failures_below_the_threshold_send_nothing()
    {
        _configuration.Alerting.FailureThreshold = 3;

        var first = await RunAsync(Failing("Site", AlertSeverity.Critical));
        var second = await RunAsync(Failing("Site", AlertSeverity.Critical));
        var third = await RunAsync(Failing("Site", AlertSeverity.Critical));

        Assert.Empty(first);
        Assert.Empty(second);
        Assert.Equal(2, third.Count);
    }

    [Fact]
    public async Task An_alert_never_carries_a_secret_even_when_a_check_quoted_one()
    {
        var leaky = new HealthCheckResult("Site", HealthStatus.Unhealthy, AlertSeverity.Critical, null, null,
            $"GET failed with key {PlatformFakes.ResendKey.Reveal()} via {fake.SlackWebhook()} and Host=db;Password=hunter2secret",
            Tuesday);
        _configuration.Alerting.Escalation[AlertSeverity.Critical] = new EscalationLevel { Channels = [AlertChannel.Phone, AlertChannel.Slack, AlertChannel.Email] };

        await RunAsync(leaky);

        // What each channel was sent (the fakes' own records also hold the webhook path and the routing key).
        var everything = string.Join("\n",
            (await fake.GetAsync("__fake/slack/messages")).EnumerateArray().Select(m => m.GetProperty("text").GetString())
            .Concat((await fake.GetAsync("__fake/resend/emails")).EnumerateArray().Select(e => e.GetRawText()))
            .Concat((await Events()).Select(e => e.GetProperty("payload").GetRawText())));
        Assert.Contains("GET failed with key ****", everything);
        Assert.DoesNotContain(PlatformFakes.ResendKey.Reveal(), everything);
        Assert.DoesNotContain("hotmessfakewebhooktoken", everything);
        Assert.DoesNotContain("hunter2secret", everything);
        Assert.DoesNotContain(PagerDutyFake.DefaultRoutingKey, everything);
    }

    [Fact]
    public async Task Critical_alerts_print_the_emergency_contacts_of_the_configuration()
    {
        _configuration.Alerting.Contacts = [new EmergencyContact("Technical Lead", "Sam Ops +44 20 0000 0000", "24/7")];

        await RunAsync(Failing("Site", AlertSeverity.Critical));
        await RunAsync(Failing("DatabaseConnections", AlertSeverity.High));

        var messages = (await fake.GetAsync("__fake/slack/messages")).EnumerateArray().Select(m => m.GetProperty("text").GetString()!).ToList();
        Assert.Contains("Technical Lead: Sam Ops +44 20 0000 0000 (24/7)", messages[0]);
        Assert.DoesNotContain("Emergency contacts", messages[1]);
    }

    [Fact]
    public async Task Planning_sends_nothing_and_leaves_the_state_as_it_was()
    {
        using (var store = AlertStateStore.Open(_repository))
        {
            var router = Router(store);
            var plan = router.Plan([Failing("Site", AlertSeverity.Critical)]);
            Assert.Equal([AlertChannel.Phone, AlertChannel.Slack], plan.Alerts.Select(a => a.Channel));
        }

        Assert.Empty(await Events());
        Assert.Equal(2, (await RunAsync(Failing("Site", AlertSeverity.Critical))).Count);
    }

    [Fact]
    public async Task A_degraded_check_alerts_like_an_unhealthy_one_and_a_skipped_run_leaves_its_problem_open()
    {
        var degraded = new HealthCheckResult("Providers", HealthStatus.Degraded, AlertSeverity.Medium, "minor", "none", "Vercel reports a minor outage", Tuesday);
        var skipped = degraded with { Status = HealthStatus.Skipped, Message = "no status pages configured" };

        var alert = await RunAsync(degraded);
        var whileSkipped = await RunAsync(skipped);
        var resolved = await RunAsync(degraded with { Status = HealthStatus.Healthy });

        Assert.Equal((AlertKind.Alert, AlertChannel.Email), (Assert.Single(alert).Kind, alert[0].Channel));
        Assert.Empty(whileSkipped);
        Assert.Equal(AlertKind.Resolved, Assert.Single(resolved).Kind);
    }

    [Fact]
    public async Task A_problem_that_gets_worse_is_alerted_at_once_at_its_new_severity()
    {
        await RunAsync(Failing("DatabaseConnections", AlertSeverity.Medium));
        _clock.Advance(TimeSpan.FromMinutes(5));

        var worse = await RunAsync(Failing("DatabaseConnections", AlertSeverity.Critical));

        Assert.Equal([AlertChannel.Phone, AlertChannel.Slack], worse.Select(d => d.Channel));
        Assert.All(worse, d => Assert.Equal((AlertKind.Alert, AlertSeverity.Critical), (d.Kind, d.Severity)));
    }

    [Fact]
    public void Two_runs_never_hold_the_alert_state_at_once()
    {
        using var first = AlertStateStore.Open(_repository);

        var ex = Assert.Throws<Hotmess.Recovery.Common.HotmessException>(() => AlertStateStore.Open(_repository));

        Assert.Equal("AlertStateLocked", ex.ErrorId);
    }

    private async Task<IReadOnlyList<AlertDelivery>> RunAsync(params HealthCheckResult[] results)
    {
        using var store = AlertStateStore.Open(_repository);
        var router = Router(store);
        var plan = router.Plan(results);
        var deliveries = await router.DeliverAsync(plan, results, approved: null, CancellationToken.None);
        store.Save();
        return deliveries;
    }

    private AlertRouter Router(AlertStateStore store)
    {
        var senders = AlertSenders.FromEnvironment(_configuration, _environment, fake.Http, new CollectingLog(), new HttpResilienceOptions { MaxAttempts = 1 });
        return new AlertRouter(_configuration.Alerting, store.State, senders.Senders, senders.Unavailable, senders.Secrets, _clock);
    }

    private async Task<List<JsonElement>> Events() => (await fake.GetAsync("__fake/pagerduty/events")).EnumerateArray().ToList();

    private HealthCheckResult Failing(string name, AlertSeverity severity) =>
        new(name, HealthStatus.Unhealthy, severity, "93 %", "80 %", $"{name} is over its threshold", _clock.GetUtcNow());

    private HealthCheckResult Healthy(string name) =>
        new(name, HealthStatus.Healthy, AlertSeverity.Critical, "12 %", "80 %", $"{name} is fine", _clock.GetUtcNow());
}
