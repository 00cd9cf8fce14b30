using System.Net;
using System.Reflection;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform;

/// <summary>What every SaaS client shares: how a configured base URL is checked and joined, and who we say we are.</summary>
public static class PlatformHttp
{
    /// <summary>Sent on every request; Resend's edge refuses requests without one.</summary>
    public static readonly string UserAgent =
        "HotmessRecovery/" + (typeof(PlatformHttp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0");

    /// <summary>
    /// The base URL with a trailing slash, so relative paths keep its own path
    /// (a base of <c>http://127.0.0.1:5000/resend</c> serves <c>…/resend/emails</c>); refused when it is not
    /// http(s) or, carrying credentials, is <c>http://</c> off loopback (see <see cref="RequireSecure"/>).
    /// </summary>
    /// <param name="setting">The setting the URL came from, named in the error.</param>
    public static Uri AsBase(Uri baseUrl, string setting)
    {
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException($"{setting} '{baseUrl}' is not an http(s) URL.", nameof(baseUrl));
        }

        RequireSecure(baseUrl, setting);
        return baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
    }

    /// <summary>A configured URL, or null when it is empty or not an absolute http(s) URL.</summary>
    public static Uri? TryParse(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) ? uri : null;

    /// <summary>
    /// Refuses an <c>http://</c> URL unless its host is loopback (127.0.0.0/8, ::1, localhost), where the local
    /// stand-ins of the services listen: over http a bearer token or service key would cross the network in clear.
    /// </summary>
    /// <param name="shown">How the URL may appear in the error (a Slack webhook URL is itself a secret).</param>
    public static void RequireSecure(Uri url, string setting, string? shown = null)
    {
        if (url.Scheme == Uri.UriSchemeHttp && !IsLoopback(url))
        {
            shown ??= url.GetLeftPart(UriPartial.Path);
            throw new HotmessException("InsecureEndpoint", FailureKind.InvalidArgument,
                $"{setting} '{shown}' is http://, which would send credentials in clear; use https:// (http:// is allowed only on loopback: 127.0.0.0/8, ::1, localhost).",
                shown);
        }
    }

    private static bool IsLoopback(Uri url) =>
        string.Equals(url.IdnHost, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(url.IdnHost.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
