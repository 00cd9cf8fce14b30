namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The <c>supabase</c> section: where New-HotmessSupabaseProject creates a project, and how a project's API URL and
/// database connection are formed from its ref. No password here: the database password is generated or passed.
/// </summary>
public sealed class SupabaseSettings
{
    /// <summary>The organization (its slug, as the dashboard's URL shows it) new projects belong to; SUPABASE_ORGANIZATION_ID when not set.</summary>
    public string? OrganizationId { get; set; }

    /// <summary>The region of new projects, e.g. <c>eu-west-2</c>; SUPABASE_REGION when not set, else Supabase chooses.</summary>
    public string? Region { get; set; }

    /// <summary>A project's API URL; <c>{ref}</c> is replaced by its ref.</summary>
    public string ProjectUrlTemplate { get; set; } = "https://{ref}.supabase.co";

    /// <summary>
    /// A project's database as Npgsql keywords without a password; <c>{ref}</c>, <c>{host}</c> (the database host the
    /// Management API reports) and <c>{region}</c> are replaced. The direct connection by default; where only IPv4
    /// reaches (Azure Automation), the session pooler: <c>Host=aws-0-{region}.pooler.supabase.com;Port=5432;
    /// Database=postgres;Username=postgres.{ref};SSL Mode=Require</c>.
    /// </summary>
    public string DatabaseConnectionTemplate { get; set; } = "Host={host};Port=5432;Database=postgres;Username=postgres;SSL Mode=Require";
}
