namespace Hotmess.Recovery.Supabase;

/// <summary>How a Supabase restore is waited for.</summary>
public sealed record SupabaseRestoreOptions
{
    /// <summary>How long the project may take to be ACTIVE_HEALTHY again; the plan expects 30 minutes and more.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(90);

    /// <summary>How often the project's status is read.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an ACTIVE_HEALTHY project that was never seen RESTORING is taken for one whose restore has not
    /// begun yet, rather than one whose restore already ended.
    /// </summary>
    public TimeSpan StartGrace { get; init; } = TimeSpan.FromMinutes(2);
}
