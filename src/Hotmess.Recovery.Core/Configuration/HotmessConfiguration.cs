using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// Non-secret settings from <c>hotmess.json</c>, completed from the environment. Secrets are never read from
/// the file: they come from the environment variables the plan names, Automation variables or parameters.
/// </summary>
public sealed class HotmessConfiguration
{
    /// <summary>The file this was read from, or null when only defaults and the environment apply.</summary>
    public string? SourcePath { get; set; }

    public string? Repository { get; set; }

    public DatabaseSettings Database { get; set; } = new();

    public StorageSettings Storage { get; set; } = new();

    public ObjectiveSettings Objectives { get; set; } = new();

    public PlatformSettings Platform { get; set; } = new();

    /// <summary>What Remove-HotmessBackup keeps when no Keep parameter is given.</summary>
    public RetentionSettings Retention { get; set; } = new();

    /// <summary>Status pages, thresholds and severities of Test-HotmessHealth.</summary>
    public MonitoringSettings Monitoring { get; set; } = new();

    /// <summary>Send-HotmessAlert's escalation table, email addresses, business hours and emergency contacts.</summary>
    public AlertingSettings Alerting { get; set; } = new();

    /// <summary>The non-production targets and objectives of recovery drills.</summary>
    public DrillSettings Drills { get; set; } = new();

    /// <summary>Where new Supabase projects are created, and how their URL and database connection are formed.</summary>
    public SupabaseSettings Supabase { get; set; } = new();
    /// <summary>The Stripe webhook endpoint a recovery recreates.</summary>
    public StripeSettings Stripe { get; set; } = new();
    /// <summary>The critical user flows Test-HotmessUserFlow checks; the HOTMESS site's defaults when empty.</summary>
    public List<UserFlowSettings> UserFlows { get; set; } = [];
    /// <summary>The sender, reply address, subject and batch size of the user notice Send-HotmessUserNotice emails.</summary>
    public UserNoticeSettings UserNotice { get; set; } = new();

    /// <summary>A copy fit to show: a password that the environment put into the connection string is masked.</summary>
    public HotmessConfiguration Redacted()
    {
        var copy = Json.Deserialize<HotmessConfiguration>(Json.Serialize(this));
        if (copy.Database.ConnectionString is { } connectionString)
        {
            copy.Database.ConnectionString = ConnectionStringText.RedactPasswords(connectionString);
        }

        return copy;
    }
}

public sealed class DatabaseSettings
{
    /// <summary>Npgsql keywords or a <c>postgres://</c> URI; a password here is refused when loading the file.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The plan's critical tables, fingerprinted in every database backup.</summary>
    public List<string> CriticalTables { get; set; } =
        ["User", "Beacon", "message", "marketplace_order", "support_tickets", "gdpr_consents"];

    public int Jobs { get; set; } = 2;

    /// <summary>
    /// The CA certificate (PEM file) that a remote server's certificate must chain to; <c>PGSSLROOTCERT</c> when not set.
    /// Remote connections verify the server's certificate and name by default.
    /// </summary>
    public string? RootCertificate { get; set; }

    /// <summary>Schemas left out of the dump (for a hosted Supabase source, e.g. its managed schemas).</summary>
    public List<string> ExcludeSchemas { get; set; } = [];
}

public sealed class StorageSettings
{
    public string? SupabaseUrl { get; set; }

    /// <summary>Buckets to back up; empty means every bucket.</summary>
    public List<string> Buckets { get; set; } = [];

    /// <summary>Transfers at once; when not set, each engine's own default (more for downloads than for uploads).</summary>
    public int? ThrottleLimit { get; set; }
}

/// <summary>The plan's recovery objectives.</summary>
public sealed class ObjectiveSettings
{
    /// <summary>Database restore RPO: "up to 24 hours".</summary>
    public double RpoHours { get; set; } = 24;

    /// <summary>Database restore RTO: 4 hours.</summary>
    public double RtoHours { get; set; } = 4;
}

/// <summary>Where the SaaS services live; every client takes its base URL from here.</summary>
public sealed class PlatformSettings
{
    public string? SiteUrl { get; set; }

    public string? VercelApiUrl { get; set; }

    public string? VercelProjectId { get; set; }

    public string? VercelTeamId { get; set; }

    public string? StripeApiUrl { get; set; }

    public string? ResendApiUrl { get; set; }

    public string? SupabaseManagementUrl { get; set; }

    public string? SupabaseProjectRef { get; set; }
}
