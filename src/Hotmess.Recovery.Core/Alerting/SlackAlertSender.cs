using Hotmess.Recovery.Platform.Slack;

namespace Hotmess.Recovery.Alerting;

/// <summary>Slack: the message's text on the incoming webhook.</summary>
public sealed class SlackAlertSender(SlackWebhookClient client) : IAlertSender
{
    public AlertChannel Channel => AlertChannel.Slack;

    public string Target => client.Target;

    public Task SendAsync(AlertMessage message, CancellationToken cancellationToken) =>
        client.SendAsync(new SlackMessage(message.Text) { IconEmoji = message.Kind == AlertKind.Resolved ? ":white_check_mark:" : ":rotating_light:" }, cancellationToken);
}
