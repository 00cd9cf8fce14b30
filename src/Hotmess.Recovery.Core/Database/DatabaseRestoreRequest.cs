using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Database;

public sealed record DatabaseRestoreRequest
{
    public required BackupSet Set { get; init; }

    public required string TargetConnectionString { get; init; }

    public int Jobs { get; init; } = 2;

    /// <summary>
    /// Replace a database that already holds objects: the set is restored into a new database beside it, checked,
    /// and swapped in by name; the database as it was is kept under a dated name.
    /// </summary>
    public bool Force { get; init; }

    /// <summary>Also fingerprint the critical tables after the restore (what a verification needs).</summary>
    public bool Fingerprint { get; init; }

    public string? PgBinDirectory { get; init; }

    /// <summary>What the target is; by default the restore tells a Supabase project from a plain PostgreSQL by itself.</summary>
    public DatabaseTargetKind TargetKind { get; init; } = DatabaseTargetKind.Auto;

    /// <summary>Refuse a target that exists: the restore creates the database itself (a verification's scratch database).</summary>
    internal bool MustCreate { get; init; }
}
