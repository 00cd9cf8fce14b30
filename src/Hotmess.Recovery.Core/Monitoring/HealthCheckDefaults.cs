using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Monitoring;

/// <summary>The nine checks and the plan's threshold and severity for each, used where the <c>monitoring</c> section is silent.</summary>
public static class HealthCheckDefaults
{
    public const string Site = "Site";
    public const string DatabaseConnections = "DatabaseConnections";
    public const string DatabaseResources = "DatabaseResources";
    public const string StripeWebhooks = "StripeWebhooks";
    public const string StripePayments = "StripePayments";
    public const string Providers = "Providers";
    public const string BackupFreshness = "BackupFreshness";
    public const string VerificationFreshness = "VerificationFreshness";
    public const string DrillFreshness = "DrillFreshness";

    /// <summary>Every check, in the order they run and are listed.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        Site, DatabaseConnections, DatabaseResources, StripeWebhooks, StripePayments, Providers, BackupFreshness, VerificationFreshness, DrillFreshness,
    ];

    public static HealthCheckSettings For(string name) => name switch
    {
        // Seconds the health endpoint may take.
        Site => new() { Threshold = 10, Severity = AlertSeverity.Critical },

        // Percent of capacity.
        DatabaseConnections or DatabaseResources => new() { Threshold = 80, Severity = AlertSeverity.High },

        // Percent of the last hour's events or payments.
        StripeWebhooks or StripePayments => new() { Threshold = 5, Severity = AlertSeverity.High },
        Providers => new() { Severity = AlertSeverity.High, DegradedSeverity = AlertSeverity.Medium },

        // The RPO per kind comes from monitoring.backupRpoHours and objectives.rpoHours.
        BackupFreshness => new() { Severity = AlertSeverity.High },

        // Days: the monthly verification and the quarterly drill, each with a day of slack.
        VerificationFreshness => new() { Threshold = 31, Severity = AlertSeverity.Medium },
        DrillFreshness => new() { Threshold = 92, Severity = AlertSeverity.Low },
        _ => throw new ArgumentException($"'{name}' is not a health check; the checks are {string.Join(", ", Names)}.", nameof(name)),
    };
}
