namespace Hotmess.Recovery.Alerting;

public enum AlertDeliveryStatus
{
    /// <summary>The channel accepted the message.</summary>
    Sent,

    /// <summary>Not sent: -WhatIf, or declined at -Confirm; a declined message is planned again next run.</summary>
    Planned,

    /// <summary>The channel failed (down, 429, not configured); retried next run.</summary>
    Failed,
}
