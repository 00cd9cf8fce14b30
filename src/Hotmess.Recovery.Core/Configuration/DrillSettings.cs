namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The <c>drills</c> section: the non-production targets recovery drills run against, and objectives that replace
/// the plan's table for a scenario. A drill refuses any target that is the production one.
/// </summary>
public sealed class DrillSettings
{
    /// <summary>A database that does not exist yet on a non-production server (no password here: PGPASSWORD).</summary>
    public string? ScratchConnectionString { get; set; }

    /// <summary>Put before every bucket id of a storage set to name the scratch buckets a storage drill restores into, e.g. <c>drill-</c>.</summary>
    public string? ScratchBucketPrefix { get; set; }

    /// <summary>The Supabase project a storage drill restores into; storage.supabaseUrl (or VITE_SUPABASE_URL) when not set.</summary>
    public string? SupabaseUrl { get; set; }

    /// <summary>The Vercel project the application drills roll back and redeploy; never the production project.</summary>
    public string? VercelProjectId { get; set; }

    /// <summary>The site of that project whose <c>/api/health</c> proves the service is back.</summary>
    public string? SiteUrl { get; set; }

    /// <summary>The credentials a credential drill declares compromised, e.g. <c>["RESEND_API_KEY"]</c>.</summary>
    public List<string> SecretNames { get; set; } = [];

    /// <summary>Per scenario name (e.g. <c>DatabaseRestore</c>): objectives that replace the plan's row.</summary>
    public Dictionary<string, DrillObjectiveSettings> Objectives { get; set; } = new();
}

/// <summary>One scenario's objectives in hours; an objective left out keeps the plan's.</summary>
public sealed class DrillObjectiveSettings
{
    public double? RtoHours { get; set; }

    public double? RpoHours { get; set; }
}
