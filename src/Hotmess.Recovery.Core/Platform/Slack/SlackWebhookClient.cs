using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Slack;

/// <summary>
/// Posts to a Slack incoming webhook. Slack answers 200 with the plain text <c>ok</c>, and every failure as a
/// plain-text code (<c>invalid_payload</c>, <c>no_service</c>, <c>channel_is_archived</c>, …); about one message a
/// second is allowed, a 429 carries <c>Retry-After</c>. Posts go through the shared pipeline
/// (<see cref="HttpResilience"/>) and are retried only when Slack cannot have posted the message. The webhook URL
/// is itself a secret and is only shown masked.
/// </summary>
public sealed class SlackWebhookClient
{
    private static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly HttpClient _http;
    private readonly Secret _webhookUrl;
    private readonly Uri _uri;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    /// <param name="resilience">Retries and timeouts; the API defaults of <see cref="HttpResilienceOptions"/> when null.</param>
    public SlackWebhookClient(HttpClient http, Secret webhookUrl, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _uri = PlatformHttp.TryParse(webhookUrl.Reveal())
            ?? throw new HotmessException("SlackWebhookUrlInvalid", FailureKind.InvalidArgument,
                "The Slack webhook URL is not an http(s) URL.", MaskedUrl(webhookUrl.Reveal()));
        PlatformHttp.RequireSecure(_uri, "The Slack webhook URL", MaskedUrl(webhookUrl.Reveal()));
        _http = http;
        _webhookUrl = webhookUrl;
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("Slack", resilience ?? new HttpResilienceOptions(), _log);
    }

    /// <summary>The URL with its token hidden: <c>https://hooks.slack.com/services/T0/B0/****</c>.</summary>
    public string Target => MaskedUrl(_webhookUrl.Reveal());

    public async Task SendAsync(SlackMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(message.Text))
        {
            throw new HotmessException("SlackMessageEmpty", FailureKind.InvalidArgument,
                "A Slack message needs a text (it is also the notification's fallback).", Target);
        }

        // A webhook post is not idempotent: Slack may have posted the message when it answers 5xx or the
        // connection breaks, so only a 429 (not accepted) or a connection that never opened is retried.
        HttpResponseMessage response;
        try
        {
            response = await _resilience.SendAsync(_http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = JsonContent.Create(message, options: WireJson) };
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, RetryRule.OnlyWhenNotAccepted, "post to the webhook", cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("SlackUnreachable", FailureKind.ConnectionFailed,
                $"The Slack webhook {Target} cannot be reached: {ex.Message.Replace(_webhookUrl.Reveal(), Target, StringComparison.Ordinal)}", Target);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("SlackTimeout", FailureKind.Timeout, $"The Slack webhook {Target} did not answer: {ex.Message}.", Target);
        }

        using (response)
        {
            var text = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
            _log.Verbose($"Slack POST {Target} -> {(int)response.StatusCode} {text}");
            if (response.StatusCode == HttpStatusCode.OK && text == "ok")
            {
                return;
            }

            throw ToException(response.StatusCode, text, HttpResilience.RetryAfter(response, _resilience.Time));
        }
    }

    private HotmessException ToException(HttpStatusCode status, string text, TimeSpan? wait)
    {
        var code = text.Length == 0 ? "(no body)" : text.Length > 80 ? text[..80] + "…" : text;
        var what = $"Slack refused the message ({(int)status} {code})";
        return ((int)status, code) switch
        {
            (200, _) => new HotmessException("SlackResponseInvalid", FailureKind.RemoteServiceFailed,
                $"Slack answered 200 with '{code}' instead of 'ok'; is {Target} a Slack incoming webhook?", Target),
            (404, _) or (410, _) => new HotmessException("SlackWebhookGone", FailureKind.NotFound,
                $"{what}: the webhook or its channel no longer exists; create a new incoming webhook.", Target),
            (403, _) => new HotmessException("SlackWebhookForbidden", FailureKind.PermissionDenied, $"{what}.", Target),
            (400, _) => new HotmessException("SlackMessageInvalid", FailureKind.InvalidArgument, $"{what}.", Target),
            (429, _) => new HotmessException("SlackRateLimited", FailureKind.RateLimited,
                what + (wait is { } w ? $"; retry after {w.TotalSeconds:0} s." : "."), Target),
            _ => new HotmessException("SlackServiceFailed", FailureKind.RemoteServiceFailed, $"{what}.", Target),
        };
    }

    /// <summary>Keeps the team and channel ids, hides the last path segment (the token).</summary>
    public static string MaskedUrl(string url)
    {
        var slash = url.TrimEnd('/').LastIndexOf('/');
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        return slash > schemeEnd + 2 && schemeEnd >= 0 ? url[..(slash + 1)] + "****" : "****";
    }
}

/// <summary>An incoming-webhook message: <see cref="Text"/> always (it is the fallback), blocks optional.</summary>
public sealed record SlackMessage(string Text)
{
    public IReadOnlyList<object>? Blocks { get; init; }

    public string? Username { get; init; }

    public string? IconEmoji { get; init; }
}
