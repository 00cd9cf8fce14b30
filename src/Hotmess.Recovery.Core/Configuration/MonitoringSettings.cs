using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The <c>monitoring</c> section: the providers' status pages, and per check the threshold and the severity it raises.
/// Every value has the plan's default, so an empty section runs every check as the plan describes it.
/// </summary>
public sealed class MonitoringSettings
{
    /// <summary>
    /// Provider name → base URL of its status page. Statuspage pages are read at <c>/api/v2/summary.json</c> below it;
    /// Stripe's page, which is not Statuspage, has a reader of its own (<c>/current/full</c>).
    /// </summary>
    public Dictionary<string, string> StatusPages { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Vercel"] = "https://www.vercel-status.com",
        ["Supabase"] = "https://status.supabase.com",
        ["Stripe"] = "https://status.stripe.com",
    };

    /// <summary>Check name → its threshold and severity; a check not named keeps its defaults (<see cref="HealthCheckDefaults"/>).</summary>
    public Dictionary<string, HealthCheckSettings> Checks { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Backup kind → its RPO in hours for BackupFreshness; a kind not named uses <c>objectives.rpoHours</c>.</summary>
    public Dictionary<string, double> BackupRpoHours { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The RPO of backup kind <paramref name="kind"/>: its own entry, else <paramref name="defaultHours"/>.</summary>
    public TimeSpan RpoOf(string kind, double defaultHours)
    {
        var hours = BackupRpoHours.FirstOrDefault(r => string.Equals(r.Key, kind, StringComparison.OrdinalIgnoreCase));
        return TimeSpan.FromHours(hours.Key is null ? defaultHours : hours.Value);
    }

    /// <summary>The kinds of backup set BackupFreshness expects to find; a missing one is unhealthy.</summary>
    public List<string> BackupKinds { get; set; } = ["Database", "Storage"];

    /// <summary>
    /// Offsite repositories (<c>az://container/prefix</c>, <c>s3://bucket/prefix</c>, or an encrypted folder) whose newest
    /// sets BackupFreshness checks beside the local repository's; read with <c>HOTMESS_REPOSITORY_KEY</c> or the key file given.
    /// </summary>
    public List<string> OffsiteRepositories { get; set; } = [];

    /// <summary>Seconds between the two reads of the CPU counters; CPU use is the share of non-idle time between them.</summary>
    public double CpuSampleSeconds { get; set; } = 10;

    /// <summary>The settings of check <paramref name="name"/>, its defaults filled in.</summary>
    public HealthCheckSettings For(string name)
    {
        var defaults = HealthCheckDefaults.For(name);
        // A dictionary read from JSON compares keys exactly; the file may write "site" or "Site".
        var configured = Checks.FirstOrDefault(c => string.Equals(c.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
        if (configured is null)
        {
            return defaults;
        }

        return new HealthCheckSettings
        {
            Enabled = configured.Enabled,
            Threshold = configured.Threshold ?? defaults.Threshold,
            Severity = configured.Severity ?? defaults.Severity,
            DegradedSeverity = configured.DegradedSeverity ?? defaults.DegradedSeverity,
        };
    }
}

/// <summary>One check's settings: <see cref="Threshold"/> in the check's unit (seconds, percent, days).</summary>
public sealed class HealthCheckSettings
{
    /// <summary>False skips the check, saying it is switched off.</summary>
    public bool Enabled { get; set; } = true;

    public double? Threshold { get; set; }

    /// <summary>Raised when unhealthy.</summary>
    public AlertSeverity? Severity { get; set; }

    /// <summary>Raised when degraded (a provider's minor incident, an unreadable status page).</summary>
    public AlertSeverity? DegradedSeverity { get; set; }
}
