using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Monitoring;

/// <summary>
/// Runs the health checks of the plan's "Monitoring &amp; Alerts" and turns each into <see cref="HealthCheckResult"/>s.
/// A check without its settings or secrets is Skipped with the reason; a check that fails to look (a refused key, an
/// unreachable endpoint) is Unhealthy with the error's message, since that is a problem someone must see; one check
/// never stops the others. Checks of several items (providers, backup kinds, resources) give one result per item,
/// named <c>Check/Item</c>, so each problem is alerted on its own.
/// </summary>
public sealed partial class HealthCheckEngine
{
    private readonly MonitoringSettings _settings;
    private readonly HealthTargets _targets;
    private readonly HttpClient _http;
    private readonly IOperationLog _log;
    private readonly TimeProvider _clock;
    private readonly HttpResilienceOptions? _resilience;

    /// <param name="resilience">Retries and timeouts of every client; each client's own defaults when null.</param>
    public HealthCheckEngine(MonitoringSettings settings, HealthTargets targets, HttpClient http, IOperationLog? log = null,
        TimeProvider? clock = null, HttpResilienceOptions? resilience = null)
    {
        _settings = settings;
        _targets = targets;
        _http = http;
        _log = log ?? NullOperationLog.Instance;
        _clock = clock ?? resilience?.Time ?? TimeProvider.System;
        _resilience = resilience;
    }

    /// <summary>The checks named (all when null or empty), in the order of <see cref="HealthCheckDefaults.Names"/>.</summary>
    public async Task<IReadOnlyList<HealthCheckResult>> RunAsync(IEnumerable<string>? checks, CancellationToken cancellationToken)
    {
        var selected = Select(checks);
        var results = new List<HealthCheckResult>();
        for (var i = 0; i < selected.Count; i++)
        {
            var name = selected[i];
            _log.Progress(new OperationProgress(1, "Checking health", name, i * 100 / selected.Count));
            var settings = _settings.For(name);
            if (!settings.Enabled)
            {
                results.Add(Skipped(name, settings, $"switched off in monitoring.checks.{name}"));
                continue;
            }

            try
            {
                var found = await RunCheckAsync(name, settings, cancellationToken).ConfigureAwait(false);
                foreach (var result in found)
                {
                    _log.Verbose($"{result.Name}: {result.Status} ({result.Message})");
                }

                results.AddRange(found);
            }
            catch (HotmessException ex)
            {
                results.Add(Result(name, HealthStatus.Unhealthy, settings, null, null, ex.Message));
            }
        }

        _log.Progress(new OperationProgress(1, "Checking health", "Done", 100, Completed: true));
        return results;
    }

    /// <summary>The named checks in their canonical spelling and order; an unknown name is <c>HealthCheckUnknown</c>.</summary>
    public static IReadOnlyList<string> Select(IEnumerable<string>? checks)
    {
        var wanted = checks?.ToList() ?? [];
        if (wanted.Count == 0)
        {
            return HealthCheckDefaults.Names;
        }

        foreach (var name in wanted.Where(w => !HealthCheckDefaults.Names.Contains(w, StringComparer.OrdinalIgnoreCase)))
        {
            throw new HotmessException("HealthCheckUnknown", FailureKind.InvalidArgument,
                $"'{name}' is not a health check; the checks are {string.Join(", ", HealthCheckDefaults.Names)}.", name);
        }

        return HealthCheckDefaults.Names.Where(n => wanted.Contains(n, StringComparer.OrdinalIgnoreCase)).ToList();
    }

    private Task<IReadOnlyList<HealthCheckResult>> RunCheckAsync(string name, HealthCheckSettings settings, CancellationToken cancellationToken) => name switch
    {
        HealthCheckDefaults.Site => CheckSiteAsync(settings, cancellationToken),
        HealthCheckDefaults.DatabaseConnections => CheckDatabaseConnectionsAsync(settings, cancellationToken),
        HealthCheckDefaults.DatabaseResources => CheckDatabaseResourcesAsync(settings, cancellationToken),
        HealthCheckDefaults.StripeWebhooks => CheckStripeWebhooksAsync(settings, cancellationToken),
        HealthCheckDefaults.StripePayments => CheckStripePaymentsAsync(settings, cancellationToken),
        HealthCheckDefaults.Providers => CheckProvidersAsync(settings, cancellationToken),
        HealthCheckDefaults.BackupFreshness => CheckBackupFreshnessAsync(settings, cancellationToken),
        HealthCheckDefaults.VerificationFreshness => Task.FromResult(CheckVerificationFreshness(settings)),
        HealthCheckDefaults.DrillFreshness => Task.FromResult(CheckDrillFreshness(settings)),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a health check."),
    };

    private HealthCheckResult Result(string name, HealthStatus status, HealthCheckSettings settings, string? value, string? threshold, string message) =>
        new(name, status,
            status == HealthStatus.Degraded ? settings.DegradedSeverity ?? settings.Severity ?? AlertSeverity.Medium : settings.Severity ?? AlertSeverity.High,
            value, threshold, message, _clock.GetUtcNow());

    private HealthCheckResult Skipped(string name, HealthCheckSettings settings, string reason) =>
        Result(name, HealthStatus.Skipped, settings, null, null, reason);

    private static IReadOnlyList<HealthCheckResult> One(HealthCheckResult result) => [result];

    /// <summary>Above the threshold is unhealthy; "share" and "threshold" in percent.</summary>
    private static HealthStatus ByPercent(double percent, double threshold) => percent > threshold ? HealthStatus.Unhealthy : HealthStatus.Healthy;

    private static string Percent(double value) => value.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %";

    private static string Duration(TimeSpan age) =>
        age.TotalHours < 48
            ? age.TotalHours.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " h"
            : age.TotalDays.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " d";
}
