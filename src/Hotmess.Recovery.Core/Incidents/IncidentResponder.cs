using System.Collections;
using System.Globalization;
using System.Text;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.StatusPages;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// The Quick Reference's "Communicate" step for an incident kept in the repository: an incident on the company's
/// own status page (opened, updated, resolved with the record) and the team told through the alert channels of the
/// incident's severity (PagerDuty triggered and resolved under the incident's own dedup key). A channel that fails is
/// reported and does not stop the others or the record.
/// </summary>
public sealed class IncidentResponder
{
    public const string StatusPageKeyVariable = "STATUSPAGE_API_KEY";
    public const string StatusPagePageVariable = "STATUSPAGE_PAGE_ID";
    public const string StatusPageUrlVariable = "STATUSPAGE_API_URL";

    private readonly AlertingSettings _alerting;
    private readonly AlertSenders _senders;
    private readonly StatuspageIncidentClient? _statusPage;
    private readonly string? _statusPageMissing;
    private readonly AlertText _text;
    private readonly TimeProvider _clock;

    public IncidentResponder(HotmessConfiguration configuration, IDictionary environment, HttpClient http, IOperationLog log,
        TimeProvider? clock = null, HttpResilienceOptions? resilience = null)
    {
        _alerting = configuration.Alerting;
        _senders = AlertSenders.FromEnvironment(configuration, environment, http, log, resilience);
        _clock = clock ?? TimeProvider.System;
        var key = ConfigurationLoader.GetSecret(environment, StatusPageKeyVariable);
        var page = environment[StatusPagePageVariable] as string;
        var url = environment[StatusPageUrlVariable] is string text && text.Length > 0 ? PlatformHttp.TryParse(text) : StatuspageIncidentClient.DefaultApiUrl;
        if (key is not null)
        {
            _senders.Secrets.Add(key.Reveal());
        }

        if (key is null || string.IsNullOrEmpty(page) || url is null)
        {
            _statusPageMissing = key is null ? $"{StatusPageKeyVariable} is not set"
                : string.IsNullOrEmpty(page) ? $"{StatusPagePageVariable} is not set"
                : $"{StatusPageUrlVariable} is not an http(s) URL";
        }
        else
        {
            _statusPage = new StatuspageIncidentClient(http, url, key, page, log, resilience);
        }

        _text = new AlertText(_senders.Secrets, _alerting.EffectiveContacts);
    }

    /// <summary>Opens the incident on the status page and records its id on the record.</summary>
    public async Task OpenStatusPageAsync(IncidentRecord record, string body, CancellationToken cancellationToken)
    {
        var client = RequireStatusPage();
        var incident = await client.CreateIncidentAsync(_text.Scrub(Title(record)), "investigating", _text.Scrub(body), Impact(record.Severity), cancellationToken).ConfigureAwait(false);
        record.StatusPageIncidentId = incident.Id;
        record.AddNote($"Status page incident {incident.Id} opened (investigating).");
    }

    /// <summary>Posts an update (or, with <c>resolved</c>, the resolution) to the record's status page incident.</summary>
    public async Task UpdateStatusPageAsync(IncidentRecord record, string status, string body, CancellationToken cancellationToken)
    {
        var id = record.StatusPageIncidentId ?? throw new HotmessException("IncidentHasNoStatusPage", FailureKind.InvalidOperation,
            $"The incident {record.Id} has no status page incident; open one with New-HotmessIncident -StatusPage.", record.Id);
        await RequireStatusPage().UpdateIncidentAsync(id, status, _text.Scrub(body), cancellationToken).ConfigureAwait(false);
        record.AddNote($"Status page incident {id} updated ({status}).");
    }

    /// <summary>Tells the team on the channels of the incident's severity; one delivery per channel, failures included.</summary>
    public async Task<IReadOnlyList<AlertDelivery>> NotifyAsync(IncidentRecord record, AlertKind kind, string update, CancellationToken cancellationToken)
    {
        var severity = Severity(record.Severity);
        var now = _clock.GetUtcNow();
        var dedupKey = "hotmess-incident-" + record.Id.ToLowerInvariant();
        var title = _text.Scrub(Title(record));
        var subject = kind == AlertKind.Resolved ? $"[Resolved] Incident: {title}" : $"[{severity}] Incident: {title}";
        var contacts = severity == AlertSeverity.Critical && kind != AlertKind.Resolved ? _alerting.EffectiveContacts : [];
        var text = new StringBuilder(subject).AppendLine().AppendLine()
            .AppendLine(_text.Scrub(update))
            .AppendLine(CultureInfo.InvariantCulture, $"Incident {record.Id}, opened {record.StartedUtc.UtcDateTime:yyyy-MM-dd HH:mm} UTC.");
        if (contacts.Count > 0)
        {
            text.AppendLine().AppendLine("Emergency contacts:");
            foreach (var contact in contacts)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {contact.Role}: {contact.Contact} ({contact.Availability})");
            }
        }

        var message = new AlertMessage($"{dedupKey}/{kind}/{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}".ToLowerInvariant(), kind, severity, dedupKey, subject, text.ToString(),
            [new AlertedCheck("Incident " + record.Id, severity, HealthStatus.Unhealthy, null, null, _text.Scrub(update), record.ImpactStartedUtc ?? record.StartedUtc)],
            contacts);
        var deliveries = new List<AlertDelivery>();
        foreach (var channel in _alerting.LevelOf(severity).Channels!)
        {
            var sender = _senders.Senders.FirstOrDefault(s => s.Channel == channel);
            var target = sender?.Target ?? "(not configured)";
            AlertDelivery Delivery(AlertDeliveryStatus status, string? errorId = null, string? error = null) =>
                new(message.Checks[0].Check, severity, kind, channel, target, status, subject, dedupKey, now, errorId, error);
            if (sender is null)
            {
                deliveries.Add(Delivery(AlertDeliveryStatus.Failed, "AlertChannelNotConfigured", _senders.Unavailable.GetValueOrDefault(channel)));
                continue;
            }

            try
            {
                await sender.SendAsync(message, cancellationToken).ConfigureAwait(false);
                deliveries.Add(Delivery(AlertDeliveryStatus.Sent));
            }
            catch (HotmessException ex)
            {
                deliveries.Add(Delivery(AlertDeliveryStatus.Failed, ex.ErrorId, _text.Scrub(ex.Message)));
            }
        }

        var sent = deliveries.Where(d => d.Status == AlertDeliveryStatus.Sent).Select(d => d.Channel.ToString()).ToList();
        record.AddNote(sent.Count > 0 ? $"Team notified ({kind}) by {string.Join(", ", sent)}." : $"Team notification ({kind}) failed on every channel.");
        return deliveries;
    }

    private StatuspageIncidentClient RequireStatusPage() =>
        _statusPage ?? throw new HotmessException("StatusPageNotConfigured", FailureKind.InvalidArgument,
            $"No status page to post to: {_statusPageMissing} ({StatusPageKeyVariable}, {StatusPagePageVariable}, optionally {StatusPageUrlVariable}).", StatusPagePageVariable);

    private static string Title(IncidentRecord record) => record.Reason ?? record.Procedure;

    private static AlertSeverity Severity(string? severity) =>
        Enum.TryParse<AlertSeverity>(severity, ignoreCase: true, out var parsed) ? parsed : AlertSeverity.High;

    private static string Impact(string? severity) => Severity(severity) switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.High => "major",
        AlertSeverity.Medium => "minor",
        _ => "none",
    };
}
