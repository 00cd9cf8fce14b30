using System.Collections;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Fakes.PagerDuty;
using Hotmess.Recovery.Fakes.StatusPage;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Incidents;

/// <summary>Incidents kept in the repository, their status page incident and team notification, and the post-incident report.</summary>
public sealed class IncidentResponseTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 19, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _clock = new(Start);
    private readonly string _repository = Path.Combine(Path.GetTempPath(), "hotmess-incidents-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly HotmessConfiguration _configuration = new()
    {
        Alerting = new AlertingSettings { Email = new AlertEmailSettings { From = "alerts@hotmess.london", To = ["team@hotmess.london"] } },
    };

    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.PostAsync("__fake/pagerduty/reset", new { });
        await fake.PostAsync("__fake/statuspage-api/reset", new { });
        _configuration.Platform.ResendApiUrl = fake.Url("resend").ToString();
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_repository))
        {
            Directory.Delete(_repository, recursive: true);
        }

        return Task.CompletedTask;
    }

    private Hashtable Environment() => new()
    {
        [AlertSenders.RoutingKeyVariable] = PagerDutyFake.DefaultRoutingKey,
        [AlertSenders.EventsUrlVariable] = fake.Url("pagerduty").ToString(),
        [AlertSenders.SlackWebhookVariable] = fake.SlackWebhook().ToString(),
        [AlertSenders.ResendKeyVariable] = PlatformFakes.ResendKey.Reveal(),
        [IncidentResponder.StatusPageKeyVariable] = StatusPageIncidentsFake.DefaultKey,
        [IncidentResponder.StatusPagePageVariable] = StatusPageIncidentsFake.DefaultPage,
        [IncidentResponder.StatusPageUrlVariable] = fake.Url("statuspage-api/v1").ToString(),
    };

    private IncidentResponder Responder(Hashtable? environment = null) =>
        new(_configuration, environment ?? Environment(), fake.Http, new CollectingLog(), _clock, new HttpResilienceOptions { MaxAttempts = 1 });

    private IncidentRecord NewIncident(string severity = "Critical") =>
        new("checkout-down", "Incident response", "Checkout is down", "sam", _clock) { Severity = severity, Scenario = RecoveryObjective.DatabaseRestore };

    [Fact]
    public void An_incident_kept_in_the_repository_reads_back_as_it_was_written()
    {
        var store = new IncidentStore(_repository, _clock);
        var record = NewIncident();
        record.ImpactStartedUtc = Start.AddMinutes(-20);
        record.SetFact("DeploymentId", "dpl_1");
        _clock.Advance(TimeSpan.FromMinutes(3));
        record.AddNote("Stripe webhooks failing");
        record.AddStep("Restore database", IncidentStepStatus.Succeeded, Start.AddMinutes(5), TimeSpan.FromMinutes(40), "from 20261124T000000Z-database-ab12");
        record.AddImprovement("Alert on webhook failures sooner");
        store.Save(record);

        var read = store.Get(record.Id);

        Assert.Equal(IncidentRecordRenderer.RenderJson(record), IncidentRecordRenderer.RenderJson(read));
        Assert.Equal("Critical", read.Severity);
        Assert.True(read.IsOpen);
    }

    [Fact]
    public void An_unknown_incident_is_not_found_naming_it()
    {
        var ex = Assert.Throws<HotmessException>(() => new IncidentStore(_repository).Get("20261124T190000Z-nothing"));

        Assert.Equal(("IncidentNotFound", FailureKind.NotFound), (ex.ErrorId, ex.Kind));
        Assert.Contains("20261124T190000Z-nothing", ex.Message);
    }

    [Fact]
    public async Task The_status_page_incident_is_opened_updated_and_resolved_with_the_record()
    {
        var record = NewIncident();
        var responder = Responder();

        await responder.OpenStatusPageAsync(record, "Customers cannot pay", CancellationToken.None);
        await responder.UpdateStatusPageAsync(record, "identified", "A bad migration", CancellationToken.None);
        await responder.UpdateStatusPageAsync(record, "resolved", "Restored from backup", CancellationToken.None);

        var incident = Assert.Single((await fake.GetAsync("__fake/statuspage-api/incidents")).EnumerateArray());
        Assert.Equal(record.StatusPageIncidentId, incident.GetProperty("id").GetString());
        Assert.Equal(("resolved", "critical"), (incident.GetProperty("status").GetString(), incident.GetProperty("impact").GetString()));
        Assert.Equal(["resolved", "identified", "investigating"], incident.GetProperty("incident_updates").EnumerateArray().Select(u => u.GetProperty("status").GetString()));
        Assert.Equal(3, record.Notes.Count);
    }

    [Fact]
    public async Task A_status_page_that_refuses_the_key_is_reported_without_showing_it()
    {
        var environment = Environment();
        environment[IncidentResponder.StatusPageKeyVariable] = "statuspage-wrong-key-9876";

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Responder(environment).OpenStatusPageAsync(NewIncident(), "x", CancellationToken.None));

        Assert.Equal("StatuspageKeyInvalid", ex.ErrorId);
        Assert.DoesNotContain("statuspage-wrong-key-9876", ex.Message);
    }

    [Fact]
    public async Task The_team_is_told_on_the_severitys_channels_and_pagerduty_resolves_under_the_incidents_key()
    {
        var record = NewIncident("Critical");
        var responder = Responder();

        var opened = await responder.NotifyAsync(record, AlertKind.Alert, "Incident opened", CancellationToken.None);
        var closed = await responder.NotifyAsync(record, AlertKind.Resolved, "Restored", CancellationToken.None);

        Assert.Equal([AlertChannel.Phone, AlertChannel.Slack], opened.Select(d => d.Channel));
        Assert.All(opened.Concat(closed), d => Assert.Equal(AlertDeliveryStatus.Sent, d.Status));
        var alert = Assert.Single((await fake.GetAsync("__fake/pagerduty/alerts")).EnumerateArray());
        Assert.Equal("resolved", alert.GetProperty("status").GetString());
        Assert.Contains("Emergency contacts", (await fake.GetAsync("__fake/slack/messages"))[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task A_failing_channel_does_not_stop_the_teams_other_channels()
    {
        await fake.PostAsync("__fake/slack/webhooks", new { path = Hotmess.Recovery.Fakes.Slack.SlackFake.DefaultWebhookPath, state = "revoked" });

        var deliveries = await Responder().NotifyAsync(NewIncident("High"), AlertKind.Alert, "Incident opened", CancellationToken.None);

        Assert.Equal((AlertDeliveryStatus.Failed, "SlackWebhookGone"), (deliveries[0].Status, deliveries[0].ErrorId));
        Assert.Equal((AlertChannel.Email, AlertDeliveryStatus.Sent), (deliveries[1].Channel, deliveries[1].Status));
    }

    [Fact]
    public void The_report_measures_rto_and_rpo_against_the_objectives_and_says_by_how_much_one_was_missed()
    {
        var record = NewIncident();
        record.ImpactStartedUtc = Start.AddMinutes(-30);
        record.RecoveredToUtc = Start.AddHours(-30);
        record.AddStep("Restore database", IncidentStepStatus.Succeeded, Start.AddMinutes(5), TimeSpan.FromMinutes(40), "from the nightly set");
        record.AddImprovement("Back up every 12 hours");
        _clock.Advance(TimeSpan.FromHours(2));
        record.Complete("Recovered");

        var markdown = IncidentReport.Render(record, new ObjectiveSettings(), IncidentReportFormat.Markdown);
        var html = IncidentReport.Render(record, new ObjectiveSettings(), IncidentReportFormat.Html);

        Assert.Contains("| RTO (recovery time) | 2 h 30 min | 4 h 00 min | Met |", markdown);
        Assert.Contains("| RPO (data loss) | 29 h 30 min | 24 h 00 min | Missed by 5 h 30 min |", markdown);
        Assert.Contains("- Back up every 12 hours", markdown);
        Assert.Contains("| 2026-11-24 19:05:00 UTC | Restore database: Succeeded - from the nightly set |", markdown);
        Assert.Contains("<td class=\"missed\">Missed by 5 h 30 min</td>", html);
        Assert.StartsWith("<!DOCTYPE html>", html);
    }

    [Fact]
    public void The_report_of_an_open_incident_says_what_is_not_measured_yet()
    {
        var record = NewIncident();
        record.Scenario = null;

        var markdown = IncidentReport.Render(record, new ObjectiveSettings(), IncidentReportFormat.Markdown);

        Assert.Contains("| RTO (recovery time) | not measured | no scenario given | - |", markdown);
        Assert.Contains("None recorded yet", markdown);
    }
}
