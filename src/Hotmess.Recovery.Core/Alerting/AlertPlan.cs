namespace Hotmess.Recovery.Alerting;

/// <summary>What a run would send, and the state it leaves when every message is accepted.</summary>
public sealed class AlertPlan
{
    internal AlertPlan(DateTimeOffset nowUtc, IReadOnlyList<PlannedAlert> alerts)
    {
        NowUtc = nowUtc;
        Alerts = alerts;
    }

    public DateTimeOffset NowUtc { get; }

    public IReadOnlyList<PlannedAlert> Alerts { get; }
}
