using System.Diagnostics;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform;

/// <summary>One look at the site's health endpoint. A site that does not answer is unhealthy, not an error.</summary>
public sealed record SiteHealth(string Url, bool Healthy, int? StatusCode, string Detail, DateTimeOffset CheckedAt, TimeSpan Elapsed);

/// <summary>
/// Checks the HOTMESS site's health endpoint (<c>HOTMESS_SITE_URL</c> + <c>/api/health</c>, the plan's uptime
/// check). Any 2xx answer is healthy.
/// </summary>
public sealed class SiteHealthClient : IDisposable
{
    public const string HealthPath = "/api/health";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly HttpResilience _resilience;

    /// <summary>
    /// A check is one GET, retried on connection errors, timeouts, 429 and 5xx once (a blip is not an outage), each
    /// attempt given 15 s.
    /// </summary>
    public static readonly HttpResilienceOptions DefaultResilience = new()
    {
        MaxAttempts = 2,
        AttemptTimeout = TimeSpan.FromSeconds(15),
        TotalTimeout = TimeSpan.FromSeconds(45),
    };

    /// <param name="siteUrl">The site's base URL, e.g. <c>https://hotmess.london</c>.</param>
    /// <param name="httpClient">A shared client (not disposed here); a new one when null.</param>
    /// <param name="resilience">Retries, timeouts and the clock of waits; <see cref="DefaultResilience"/> when null.</param>
    public SiteHealthClient(Uri siteUrl, HttpClient? httpClient = null, HttpResilienceOptions? resilience = null)
    {
        HealthUrl = new Uri(siteUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + HealthPath);
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _resilience = new HttpResilience("The site", resilience ?? DefaultResilience);
        _time = _resilience.Time;
    }

    public Uri HealthUrl { get; }

    /// <summary>The longest pause between two checks while waiting.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Builds a client from a configured site URL; <c>SiteUrlInvalid</c> when it is not an absolute http(s) URL.</summary>
    public static SiteHealthClient Create(string siteUrl, HttpClient? httpClient = null)
    {
        if (!Uri.TryCreate(siteUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new HotmessException("SiteUrlInvalid", FailureKind.InvalidArgument,
                $"The site URL '{siteUrl}' is not an absolute http(s) URL; set HOTMESS_SITE_URL or Platform.SiteUrl.", siteUrl);
        }

        return new SiteHealthClient(uri, httpClient);
    }

    public async Task<SiteHealth> CheckAsync(CancellationToken cancellationToken = default)
    {
        var checkedAt = _time.GetUtcNow();
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await _resilience.SendAsync(_http, () => new HttpRequestMessage(HttpMethod.Get, HealthUrl), RetryRule.Idempotent,
                "answer its health check", cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var code = (int)response.StatusCode;
            var detail = $"{code} {response.ReasonPhrase}".TrimEnd() + (StatusText(body) is { } status ? $": {status}" : "");
            return new SiteHealth(HealthUrl.ToString(), response.IsSuccessStatusCode, code, detail, checkedAt, watch.Elapsed);
        }
        catch (HttpRequestException ex)
        {
            return new SiteHealth(HealthUrl.ToString(), false, null, $"no answer: {ex.Message}", checkedAt, watch.Elapsed);
        }
        catch (HttpTimeoutException ex)
        {
            return new SiteHealth(HealthUrl.ToString(), false, null, $"no answer: {ex.Message}", checkedAt, watch.Elapsed);
        }
    }

    /// <summary>
    /// Checks until the site is healthy or <paramref name="timeout"/> has passed (at least one check), and
    /// returns the last result. A deployment that has just been promoted can take a moment to answer.
    /// </summary>
    public async Task<SiteHealth> WaitUntilHealthyAsync(TimeSpan timeout, IOperationLog log, CancellationToken cancellationToken = default)
    {
        var started = _time.GetUtcNow();
        var delay = TimeSpan.FromMilliseconds(250);
        while (true)
        {
            var health = await CheckAsync(cancellationToken).ConfigureAwait(false);
            log.Verbose($"Health {HealthUrl}: {health.Detail}.");
            if (health.Healthy || _time.GetUtcNow() - started + delay > timeout)
            {
                return health;
            }

            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(MaxPollInterval.Ticks, delay.Ticks * 2));
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>The <c>status</c> word of a JSON health body, if it has one, kept short.</summary>
    private static string? StatusText(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   document.RootElement.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                ? status.GetString() is { Length: > 0 } text ? text[..Math.Min(text.Length, 80)] : null
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
