using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform.StatusPages;

namespace Hotmess.Recovery.Monitoring;

public sealed partial class HealthCheckEngine
{
    /// <summary>
    /// Each provider's status page: a major or critical outage is unhealthy, a minor one (or a component not
    /// operational) degraded, maintenance healthy with a note; a page that cannot be read is degraded, since
    /// nobody can tell from here whether the provider is up.
    /// </summary>
    private async Task<IReadOnlyList<HealthCheckResult>> CheckProvidersAsync(HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        const string name = HealthCheckDefaults.Providers;
        if (_settings.StatusPages.Count == 0)
        {
            return One(Skipped(name, settings, "no status pages in monitoring.statusPages"));
        }

        var statuses = await new ProviderStatusReader(_http, _log, _resilience).ReadAsync(_settings.StatusPages, cancellationToken).ConfigureAwait(false);
        return statuses.Select(s => ProviderResult(name, settings, s)).ToList();
    }

    internal HealthCheckResult ProviderResult(string name, HealthCheckSettings settings, ProviderStatus status)
    {
        var health = status.Indicator switch
        {
            ProviderIndicator.Major or ProviderIndicator.Critical => HealthStatus.Unhealthy,
            ProviderIndicator.Minor or ProviderIndicator.Unknown => HealthStatus.Degraded,
            ProviderIndicator.None when status.Components.Count > 0 => HealthStatus.Degraded,
            _ => HealthStatus.Healthy,
        };
        var details = string.Join("; ", new[] { status.Reason }.Concat(status.Components).Concat(status.Incidents).Where(d => !string.IsNullOrEmpty(d)));
        var message = $"{status.Provider}: {status.Description}" + (details.Length > 0 ? $" ({details})" : "") + $" at {status.Url}";
        return Result($"{name}/{status.Provider}", health, settings, status.Indicator.ToString().ToLowerInvariant(), "none", message);
    }
}
