namespace Hotmess.Recovery.Integrations;

/// <summary>
/// What Send-HotmessUserNotice did, in counts only (addresses are personal data). <see cref="Sent"/> counts the
/// recipients of the batches Resend accepted, in this run or, under the same incident id, an earlier one (Resend
/// answers a repeated batch without sending it again).
/// </summary>
public sealed record UserNoticeResult
{
    public required string IncidentId { get; init; }

    public required int Recipients { get; init; }

    public required int Sent { get; init; }

    public required int Batches { get; init; }

    public required TimeSpan Duration { get; init; }
}
