using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Platform.PagerDuty;

namespace Hotmess.Recovery.Alerting;

/// <summary>Phone: a PagerDuty trigger for an alert or reminder, a resolve with the same dedup key when healthy again.</summary>
public sealed class PagerDutyAlertSender(PagerDutyEventsClient client) : IAlertSender
{
    public AlertChannel Channel => AlertChannel.Phone;

    public string Target => client.Target;

    public async Task SendAsync(AlertMessage message, CancellationToken cancellationToken)
    {
        if (message.Kind == AlertKind.Resolved)
        {
            await client.ResolveAsync(message.DedupKey, cancellationToken).ConfigureAwait(false);
            return;
        }

        var first = message.Checks[0];
        var details = new Dictionary<string, string?>
        {
            ["checks"] = string.Join(", ", message.Checks.Select(c => c.Check)),
            ["status"] = first.Status.ToString(),
            ["value"] = first.Value,
            ["threshold"] = first.Threshold,
            ["message"] = first.Message,
            ["failing_since"] = first.FirstFailedUtc.ToString("O"),
        };
        if (message.Contacts.Count > 0)
        {
            details["emergency_contacts"] = string.Join("; ", message.Contacts.Select(c => $"{c.Role}: {c.Contact} ({c.Availability})"));
        }

        var payload = new PagerDutyPayload(message.Subject, "hotmess-recovery", Severity(message.Level))
        {
            Timestamp = first.FirstFailedUtc,
            Component = first.Check,
            Class = message.Kind.ToString(),
            CustomDetails = details,
        };
        await client.TriggerAsync(message.DedupKey, payload, cancellationToken).ConfigureAwait(false);
    }

    private static string Severity(AlertSeverity level) => level switch
    {
        AlertSeverity.Critical => "critical",
        AlertSeverity.High => "error",
        AlertSeverity.Medium => "warning",
        _ => "info",
    };
}
