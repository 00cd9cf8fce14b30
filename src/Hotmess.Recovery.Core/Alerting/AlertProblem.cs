using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Alerting;

/// <summary>
/// What the alert state remembers of one failing check, from its first failed run until the channels it alerted
/// have been told it is resolved.
/// </summary>
public sealed class AlertProblem
{
    public required string Check { get; set; }

    /// <summary>The severity the check raises.</summary>
    public AlertSeverity Severity { get; set; }

    /// <summary>The severity whose channels were last notified; reminders climb it towards Critical.</summary>
    public AlertSeverity Level { get; set; }

    public HealthStatus Status { get; set; }

    public string? Value { get; set; }

    public string? Threshold { get; set; }

    public string Message { get; set; } = "";

    public DateTimeOffset FirstFailedUtc { get; set; }

    public DateTimeOffset LastCheckedUtc { get; set; }

    /// <summary>Failed runs in a row.</summary>
    public int Failures { get; set; }

    /// <summary>PagerDuty's dedup key: the trigger and the resolve of this problem share it.</summary>
    public required string DedupKey { get; set; }

    /// <summary>When a channel first accepted an alert about it; null while none has.</summary>
    public DateTimeOffset? AlertedUtc { get; set; }

    /// <summary>When a channel last accepted an alert or reminder; reminders count from here.</summary>
    public DateTimeOffset? LastNotifiedUtc { get; set; }

    /// <summary>The channels that accepted an alert or reminder and have not yet accepted its resolution.</summary>
    public List<AlertChannel> Alerted { get; set; } = [];

    /// <summary>A Low problem waiting for the next digest.</summary>
    public bool InDigest { get; set; }

    /// <summary>Healthy again: only the resolved messages are left to send.</summary>
    public DateTimeOffset? ResolvedUtc { get; set; }

    /// <summary>Messages a channel failed (or that were declined), sent again next run.</summary>
    public List<PendingAlert> Pending { get; set; } = [];
}

/// <summary>A message still owed to a channel.</summary>
public sealed class PendingAlert
{
    public AlertKind Kind { get; set; }

    public AlertChannel Channel { get; set; }

    public AlertSeverity Level { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}
