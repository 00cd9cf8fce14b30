using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Supabase;

/// <summary>A project to create, and how long to wait for it.</summary>
public sealed record NewSupabaseProjectRequest
{
    public required string Name { get; init; }

    /// <summary>The organization's slug (what the dashboard's URL shows; the API's older <c>organization_id</c>).</summary>
    public required string OrganizationId { get; init; }

    /// <summary>A region code such as <c>eu-west-2</c>; null lets Supabase choose.</summary>
    public string? Region { get; init; }

    /// <summary>The password of the project's <c>postgres</c> role; a strong random one is generated when null.</summary>
    public Secret? DatabasePassword { get; init; }

    /// <summary>How long the project may take to be ACTIVE_HEALTHY; a few minutes as a rule.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(15);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The project's API URL, <c>{ref}</c> replaced (configuration supabase.projectUrlTemplate).</summary>
    public string ProjectUrlTemplate { get; init; } = "https://{ref}.supabase.co";

    /// <summary>Npgsql keywords without a password, <c>{ref}</c>, <c>{host}</c> and <c>{region}</c> replaced (supabase.databaseConnectionTemplate).</summary>
    public string DatabaseConnectionTemplate { get; init; } = "Host={host};Port=5432;Database=postgres;Username=postgres;SSL Mode=Require";
}
