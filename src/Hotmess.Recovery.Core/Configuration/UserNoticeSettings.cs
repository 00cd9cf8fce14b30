using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Resend;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The <c>userNotice</c> section: how Send-HotmessUserNotice emails the users after an outage. The sender is its own
/// setting because users should see the product's address, not the operations team's alert sender; it falls back to
/// <c>alerting.email.from</c> so one verified address is enough to start.
/// </summary>
public sealed class UserNoticeSettings
{
    /// <summary>The sender, <c>a@b.c</c> or <c>Name &lt;a@b.c&gt;</c>, of a domain verified in Resend.</summary>
    public string? From { get; set; }

    /// <summary>Where users' replies go (the notice asks them to reply when something looks wrong).</summary>
    public string? ReplyTo { get; set; }

    /// <summary>The subject; the notice's first <c># </c> heading when not set.</summary>
    public string? Subject { get; set; }

    /// <summary>Emails per <c>POST /emails/batch</c>, at most Resend's 100.</summary>
    public int BatchSize { get; set; } = ResendClient.BatchLimit;

    /// <summary>The sender to use: this section's, else the alert emails'.</summary>
    public string? EffectiveFrom(AlertingSettings alerting) => From ?? alerting.Email.From;

    public void Validate()
    {
        if (BatchSize is < 1 or > ResendClient.BatchLimit)
        {
            throw new HotmessException("ConfigurationInvalid", FailureKind.InvalidData,
                $"userNotice.batchSize is {BatchSize}; Resend takes 1 to {ResendClient.BatchLimit} emails per batch.", "userNotice.batchSize");
        }
    }
}
