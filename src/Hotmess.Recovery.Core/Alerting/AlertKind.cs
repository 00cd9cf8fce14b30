namespace Hotmess.Recovery.Alerting;

/// <summary>What a message says about a problem.</summary>
public enum AlertKind
{
    /// <summary>The first message about a problem, on its severity's channels.</summary>
    Alert,

    /// <summary>The problem outlived its response time: sent again, on the next severity's channels.</summary>
    Reminder,

    /// <summary>The check is healthy again: sent on the channels that were alerted.</summary>
    Resolved,

    /// <summary>The day's Low problems in one email, sent inside business hours.</summary>
    Digest,
}
