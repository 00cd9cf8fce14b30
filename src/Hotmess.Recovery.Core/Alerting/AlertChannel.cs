namespace Hotmess.Recovery.Alerting;

/// <summary>The plan's notification channels: Phone is PagerDuty (its escalation policy makes the call), Email is Resend.</summary>
public enum AlertChannel
{
    Phone,
    Slack,
    Email,
}
