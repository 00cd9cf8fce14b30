using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Alerting;

/// <summary>
/// One message as every channel sends it: a subject (Slack's first line, the email subject, PagerDuty's summary), a
/// plain-text body, and the facts behind it. Built by <see cref="AlertText"/>, which keeps secrets out of it.
/// </summary>
public sealed record AlertMessage(
    string Id,
    AlertKind Kind,
    AlertSeverity Level,
    string DedupKey,
    string Subject,
    string Text,
    IReadOnlyList<AlertedCheck> Checks,
    IReadOnlyList<EmergencyContact> Contacts);

/// <summary>A check as a message describes it.</summary>
public sealed record AlertedCheck(
    string Check, AlertSeverity Severity, HealthStatus Status, string? Value, string? Threshold, string Message, DateTimeOffset FirstFailedUtc);
