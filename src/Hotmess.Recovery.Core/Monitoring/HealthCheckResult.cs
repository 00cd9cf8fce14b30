namespace Hotmess.Recovery.Monitoring;

/// <summary>
/// The outcome of one health check. <see cref="Severity"/> is the severity the check raises when it is not healthy
/// (configured per check), so an alert router can act on the result alone. <see cref="Value"/> and
/// <see cref="Threshold"/> are display text in the check's unit ("83 %", "6.2 h"), null when they do not apply.
/// </summary>
public sealed record HealthCheckResult(
    string Name,
    HealthStatus Status,
    AlertSeverity Severity,
    string? Value,
    string? Threshold,
    string Message,
    DateTimeOffset CheckedUtc);
