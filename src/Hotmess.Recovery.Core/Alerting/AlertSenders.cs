using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.PagerDuty;
using Hotmess.Recovery.Platform.Resend;
using Hotmess.Recovery.Platform.Slack;

namespace Hotmess.Recovery.Alerting;

/// <summary>
/// The channels as the environment configures them: Phone from <c>PAGERDUTY_ROUTING_KEY</c> (and
/// <c>PAGERDUTY_EVENTS_URL</c>), Slack from <c>SLACK_WEBHOOK_URL</c>, Email from <c>RESEND_API_KEY</c> (and
/// <c>RESEND_API_URL</c>) with <c>alerting.email</c>. A channel that cannot be built is listed with the reason, so
/// its messages fail visibly and stay owed instead of stopping the run.
/// </summary>
public sealed class AlertSenders
{
    public const string RoutingKeyVariable = "PAGERDUTY_ROUTING_KEY";
    public const string EventsUrlVariable = "PAGERDUTY_EVENTS_URL";
    public const string SlackWebhookVariable = "SLACK_WEBHOOK_URL";
    public const string ResendKeyVariable = "RESEND_API_KEY";

    public List<IAlertSender> Senders { get; } = [];

    public Dictionary<AlertChannel, string> Unavailable { get; } = [];

    /// <summary>The secret values the channels use; no alert may carry them.</summary>
    public List<string> Secrets { get; } = [];

    public static AlertSenders FromEnvironment(
        HotmessConfiguration configuration, IDictionary environment, HttpClient http, IOperationLog log, HttpResilienceOptions? resilience = null)
    {
        var result = new AlertSenders();
        var routingKey = ConfigurationLoader.GetSecret(environment, RoutingKeyVariable);
        var slackUrl = ConfigurationLoader.GetSecret(environment, SlackWebhookVariable);
        var resendKey = ConfigurationLoader.GetSecret(environment, ResendKeyVariable);
        result.Secrets.AddRange(new[] { routingKey, slackUrl, resendKey }.OfType<Secret>().Select(s => s.Reveal()));
        if (slackUrl is not null)
        {
            // The token part alone would also give the webhook away.
            result.Secrets.Add(slackUrl.Reveal().TrimEnd('/').Split('/')[^1]);
        }

        result.Try(AlertChannel.Phone, () =>
        {
            var key = routingKey ?? throw new HotmessException("PagerDutyRoutingKeyMissing", FailureKind.InvalidArgument,
                $"{RoutingKeyVariable} is not set: phone alerts go nowhere.", RoutingKeyVariable);
            var url = environment[EventsUrlVariable] is string text && text.Length > 0
                ? PlatformHttp.TryParse(text) ?? throw new HotmessException("PagerDutyEventsUrlInvalid", FailureKind.InvalidArgument,
                    $"{EventsUrlVariable} '{text}' is not an http(s) URL.", EventsUrlVariable)
                : PagerDutyEventsClient.DefaultEventsUrl;
            return new PagerDutyAlertSender(new PagerDutyEventsClient(http, url, key, log, resilience));
        });
        result.Try(AlertChannel.Slack, () =>
        {
            var url = slackUrl ?? throw new HotmessException("SlackWebhookMissing", FailureKind.InvalidArgument,
                $"{SlackWebhookVariable} is not set: Slack alerts go nowhere.", SlackWebhookVariable);
            return new SlackAlertSender(new SlackWebhookClient(http, url, log, resilience));
        });
        result.Try(AlertChannel.Email, () =>
        {
            var key = resendKey ?? throw new HotmessException("ResendKeyMissing", FailureKind.InvalidArgument,
                $"{ResendKeyVariable} is not set: email alerts go nowhere.", ResendKeyVariable);
            var baseUrl = PlatformHttp.TryParse(configuration.Platform.ResendApiUrl) ?? new Uri("https://api.resend.com");
            var email = configuration.Alerting.Email;
            return new EmailAlertSender(new ResendClient(http, baseUrl, key, log, resilience), email.From, email.To);
        });
        return result;
    }

    private void Try(AlertChannel channel, Func<IAlertSender> create)
    {
        try
        {
            Senders.Add(create());
        }
        catch (Exception ex) when (ex is HotmessException or ArgumentException)
        {
            Unavailable[channel] = ex.Message;
        }
    }
}
