namespace Hotmess.Recovery.Monitoring;

/// <summary>How a check came out. Skipped means it could not run for want of settings or secrets, which is not an error.</summary>
public enum HealthStatus
{
    Healthy,
    Degraded,
    Unhealthy,
    Skipped,
}
