namespace Hotmess.Recovery.Monitoring;

/// <summary>The plan's escalation levels, most urgent first: the response time and channels follow from it.</summary>
public enum AlertSeverity
{
    Critical,
    High,
    Medium,
    Low,
}
