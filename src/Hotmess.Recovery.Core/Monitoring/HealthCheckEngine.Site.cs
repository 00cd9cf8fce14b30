using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;

namespace Hotmess.Recovery.Monitoring;

public sealed partial class HealthCheckEngine
{
    /// <summary>The plan's uptime check: <c>/api/health</c> answers 2xx within the threshold (seconds).</summary>
    private async Task<IReadOnlyList<HealthCheckResult>> CheckSiteAsync(HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        const string name = HealthCheckDefaults.Site;
        if (string.IsNullOrWhiteSpace(_targets.SiteUrl))
        {
            return One(Skipped(name, settings, "no site URL: set HOTMESS_SITE_URL or platform.siteUrl"));
        }

        var limit = TimeSpan.FromSeconds(settings.Threshold ?? 10);
        var threshold = $"2xx within {limit.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture)} s";
        var siteUrl = PlatformHttp.TryParse(_targets.SiteUrl)
            ?? throw new HotmessException("SiteUrlInvalid", FailureKind.InvalidArgument,
                $"The site URL '{_targets.SiteUrl}' is not an absolute http(s) URL; set HOTMESS_SITE_URL or platform.siteUrl.", _targets.SiteUrl);
        using var client = new SiteHealthClient(siteUrl, _http,
            SiteHealthClient.DefaultResilience with { Time = _clock });
        var health = await client.CheckAsync(cancellationToken).ConfigureAwait(false);
        var elapsed = $"{health.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s";
        if (!health.Healthy)
        {
            return One(Result(name, HealthStatus.Unhealthy, settings, health.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? "no answer", threshold,
                $"{health.Url}: {health.Detail}"));
        }

        return health.Elapsed > limit
            ? One(Result(name, HealthStatus.Unhealthy, settings, elapsed, threshold, $"{health.Url} answered {health.Detail} but took {elapsed}"))
            : One(Result(name, HealthStatus.Healthy, settings, elapsed, threshold, $"{health.Url} answered {health.Detail} in {elapsed}"));
    }
}
