namespace Hotmess.Recovery.Integrations;

/// <summary>The sending domain's state and a test email's fate: <see cref="Passed"/> when the domain is verified and the email delivered.</summary>
public sealed record EmailDeliveryResult
{
    public required string Domain { get; init; }

    /// <summary>Resend's status of the domain (verified, pending, failed, …), or <c>not_found</c>.</summary>
    public required string DomainStatus { get; init; }

    public required string To { get; init; }

    /// <summary>Null when no email was sent (the domain is not verified).</summary>
    public string? EmailId { get; init; }

    /// <summary>The email's <c>last_event</c> when the check ended.</summary>
    public string? LastEvent { get; init; }

    public required bool Passed { get; init; }

    public required TimeSpan Duration { get; init; }

    public required string Reason { get; init; }

    /// <summary>When not passed: DomainNotFound, DomainNotVerified or EmailNotDelivered.</summary>
    public string? ErrorId { get; init; }
}
