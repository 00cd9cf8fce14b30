using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Resend;

namespace Hotmess.Recovery.Alerting;

/// <summary>Email through Resend, from and to the <c>alerting.email</c> addresses; the message id is the idempotency key.</summary>
public sealed class EmailAlertSender : IAlertSender
{
    private readonly ResendClient _client;
    private readonly string _from;
    private readonly IReadOnlyList<string> _to;

    public EmailAlertSender(ResendClient client, string? from, IReadOnlyList<string> to)
    {
        if (string.IsNullOrWhiteSpace(from) || to.Count == 0)
        {
            throw new HotmessException("AlertEmailAddressMissing", FailureKind.InvalidArgument,
                "Email alerts need alerting.email.from and alerting.email.to in the configuration.", "alerting.email");
        }

        _client = client;
        _from = from;
        _to = to;
    }

    public AlertChannel Channel => AlertChannel.Email;

    public string Target => string.Join(", ", _to);

    public Task SendAsync(AlertMessage message, CancellationToken cancellationToken) =>
        _client.SendEmailAsync(
            new ResendEmail(_from, _to, message.Subject)
            {
                Text = message.Text,
                Tags = [new ResendTag("alert", message.Kind.ToString().ToLowerInvariant())],
            },
            message.Id.Length <= 256 ? message.Id : message.Id[..256],
            cancellationToken);
}
