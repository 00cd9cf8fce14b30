using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Slack;

/// <summary>
/// Posts to a Slack incoming webhook. Slack answers 200 with the plain text <c>ok</c>, and every failure as a
/// plain-text code (<c>invalid_payload</c>, <c>no_service</c>, <c>channel_is_archived</c>, …); about one message a
/// second is allowed, a 429 carries <c>Retry-After</c>. The webhook URL is itself a secret and is only shown masked.
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

    public SlackWebhookClient(HttpClient http, Secret webhookUrl, IOperationLog? log = null)
    {
        _uri = PlatformHttp.TryParse(webhookUrl.Reveal())
            ?? throw new HotmessException("SlackWebhookUrlInvalid", FailureKind.InvalidArgument,
                "The Slack webhook URL is not an http(s) URL.", MaskedUrl(webhookUrl.Reveal()));
        _http = http;
        _webhookUrl = webhookUrl;
        _log = log ?? NullOperationLog.Instance;
    }

    public int MaxRateLimitRetries { get; init; } = 2;

    public TimeSpan MaxRateLimitWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The URL with its token hidden: <c>https://hooks.slack.com/services/T0/B0/****</c>.</summary>
    public string Target => MaskedUrl(_webhookUrl.Reveal());

    public async Task SendAsync(SlackMessage message, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(message.Text))
        {
            throw new HotmessException("SlackMessageEmpty", FailureKind.InvalidArgument,
                "A Slack message needs a text (it is also the notification's fallback).", Target);
        }

        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _uri) { Content = JsonContent.Create(message, options: WireJson) };
            request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new HotmessException("SlackUnreachable", FailureKind.ConnectionFailed,
                    $"The Slack webhook {Target} cannot be reached: {ex.Message.Replace(_webhookUrl.Reveal(), Target, StringComparison.Ordinal)}", Target);
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HotmessException("SlackTimeout", FailureKind.Timeout,
                    $"The Slack webhook {Target} did not answer within {_http.Timeout.TotalSeconds:0} s.", Target);
            }

            using (response)
            {
                var text = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
                _log.Verbose($"Slack POST {Target} -> {(int)response.StatusCode} {text}");
                if (response.StatusCode == HttpStatusCode.OK && text == "ok")
                {
                    return;
                }

                var wait = PlatformHttp.RetryAfter(response);
                if (response.StatusCode == HttpStatusCode.TooManyRequests && attempt < MaxRateLimitRetries && wait is { } delay && delay <= MaxRateLimitWait)
                {
                    _log.Warning($"Slack is rate limiting the webhook; retrying in {delay.TotalSeconds:0.#} s.");
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw ToException(response.StatusCode, text, wait);
            }
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
