namespace Hotmess.Recovery.Database;

public sealed record DatabaseBackupRequest
{
    public required string ConnectionString { get; init; }

    public required string Repository { get; init; }

    /// <summary>pg_dump's parallel jobs (directory format).</summary>
    public int Jobs { get; init; } = 2;

    public IReadOnlyList<string> CriticalTables { get; init; } = [];

    public IReadOnlyList<string> ExcludeSchemas { get; init; } = [];

    /// <summary>Where pg_dump lives; found automatically when null.</summary>
    public string? PgBinDirectory { get; init; }

    /// <summary>The Supabase project this database belongs to, recorded in the manifest.</summary>
    public string? Project { get; init; }
}
