namespace Hotmess.Recovery.Integrations;

/// <summary>A notice and who it goes to; <see cref="IncidentId"/> names its batches, so a rerun sends nobody a second email.</summary>
public sealed record UserNoticeRequest
{
    public required string IncidentId { get; init; }

    public required string From { get; init; }

    public required string Subject { get; init; }

    /// <summary>The notice as plain text (Markdown reads as such).</summary>
    public required string Text { get; init; }

    public string? ReplyTo { get; init; }

    /// <summary>One email each, in this order; the same list must be given to a rerun.</summary>
    public required IReadOnlyList<string> Recipients { get; init; }

    public int BatchSize { get; init; } = Platform.Resend.ResendClient.BatchLimit;
}
