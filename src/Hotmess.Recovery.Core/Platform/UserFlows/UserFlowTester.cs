using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.UserFlows;

/// <summary>
/// Checks critical user flows against the site: one request per flow through the resilience layer (a GET retried
/// once on a blip, as the health check is; other methods only when the server cannot have acted), then its status
/// and, when asked, its body. A flow that gets no answer fails with the reason; it is not an error of the check.
/// </summary>
public sealed class UserFlowTester : IDisposable
{
    /// <summary>Two attempts of 15 s each, 45 s for a flow in all: the health check's own rule.</summary>
    public static HttpResilienceOptions DefaultResilience => SiteHealthClient.DefaultResilience;

    private readonly Uri _site;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly HttpResilience _resilience;

    /// <param name="siteUrl">The site's base URL; a path of its own (a preview behind a prefix) is kept.</param>
    public UserFlowTester(Uri siteUrl, HttpResilienceOptions? resilience = null, HttpClient? httpClient = null, IOperationLog? log = null)
    {
        if (!siteUrl.IsAbsoluteUri || (siteUrl.Scheme != Uri.UriSchemeHttps && siteUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new HotmessException("SiteUrlInvalid", FailureKind.InvalidArgument,
                $"The site URL '{siteUrl}' is not an absolute http(s) URL; give -SiteUrl, or set platform.siteUrl or HOTMESS_SITE_URL.", siteUrl.ToString());
        }

        _site = siteUrl;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _resilience = new HttpResilience("The site", resilience ?? DefaultResilience, log);
    }

    public Uri UrlOf(UserFlow flow) => new(_site.GetLeftPart(UriPartial.Path).TrimEnd('/') + flow.Path);

    public async Task<UserFlowResult> CheckAsync(UserFlow flow, CancellationToken ct)
    {
        var url = UrlOf(flow);
        var started = _resilience.Time.GetTimestamp();
        int? status = null;
        string reason;
        try
        {
            var rule = flow.Method is "GET" or "HEAD" or "OPTIONS" or "PUT" or "DELETE" ? RetryRule.Idempotent : RetryRule.OnlyWhenNotAccepted;
            using var response = await _resilience.SendAsync(_http, () => Request(flow, url), rule, $"answer {flow.Method} {flow.Path}", ct).ConfigureAwait(false);
            status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            reason = status != flow.ExpectedStatus
                ? $"expected {flow.ExpectedStatus}, got {status} {response.ReasonPhrase}".TrimEnd()
                : flow.Contains is { } text && !body.Contains(text, StringComparison.OrdinalIgnoreCase)
                    ? $"the response does not contain '{text}' ({body.Length:N0} characters)"
                    : string.Empty;
        }
        catch (HttpRequestException ex)
        {
            reason = $"no answer: {ex.Message}";
        }
        catch (HttpTimeoutException ex)
        {
            reason = $"no answer: {ex.Message}";
        }

        return new UserFlowResult
        {
            Name = flow.Name,
            Method = flow.Method,
            Url = url.ToString(),
            ExpectedStatus = flow.ExpectedStatus,
            StatusCode = status,
            Passed = reason.Length == 0,
            Reason = reason,
            Duration = _resilience.Time.GetElapsedTime(started),
        };
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static HttpRequestMessage Request(UserFlow flow, Uri url)
    {
        var request = new HttpRequestMessage(new HttpMethod(flow.Method), url);
        request.Headers.UserAgent.TryParseAdd(PlatformHttp.UserAgent);
        foreach (var (name, value) in flow.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content ??= new ByteArrayContent([]);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return request;
    }
}
