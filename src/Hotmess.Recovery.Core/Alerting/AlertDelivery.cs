using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Alerting;

/// <summary>One message to one channel: sent, failed (retried next run) or only planned (-WhatIf).</summary>
public sealed record AlertDelivery(
    string Check,
    AlertSeverity Severity,
    AlertKind Kind,
    AlertChannel Channel,
    string Target,
    AlertDeliveryStatus Status,
    string Subject,
    string DedupKey,
    DateTimeOffset TimeUtc,
    string? ErrorId = null,
    string? Error = null);
