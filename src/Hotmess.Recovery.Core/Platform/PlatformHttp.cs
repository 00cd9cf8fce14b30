using System.Globalization;
using System.Net.Http.Headers;
using System.Reflection;

namespace Hotmess.Recovery.Platform;

/// <summary>What every SaaS client shares: how a configured base URL is joined, who we say we are, and how long a 429 asks us to wait.</summary>
public static class PlatformHttp
{
    /// <summary>Sent on every request; Resend's edge refuses requests without one.</summary>
    public static readonly string UserAgent =
        "HotmessRecovery/" + (typeof(PlatformHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    /// <summary>
    /// The base URL with a trailing slash, so relative paths keep its own path
    /// (a base of <c>http://127.0.0.1:5000/resend</c> serves <c>…/resend/emails</c>).
    /// </summary>
    public static Uri AsBase(Uri baseUrl)
    {
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"'{baseUrl}' is not an http(s) URL.", nameof(baseUrl));
        }

        return baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
    }

    /// <summary>A configured URL, or null when it is empty or not an absolute http(s) URL.</summary>
    public static Uri? TryParse(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;

    /// <summary><c>Retry-After</c> as seconds or as an HTTP date; null when absent.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter is { } header)
        {
            if (header.Delta is { } delta)
            {
                return delta;
            }

            if (header.Date is { } date)
            {
                var wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        return null;
    }

    /// <summary>A header holding whole or fractional seconds (<c>X-RateLimit-Reset</c>, <c>ratelimit-reset</c>); null when absent or not a number.</summary>
    public static TimeSpan? SecondsHeader(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
        && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds >= 0
            ? TimeSpan.FromSeconds(seconds)
            : null;
}
