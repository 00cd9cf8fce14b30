using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Verification;

public sealed record DatabaseIntegrityRequest
{
    /// <summary>The restored database.</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The own set that was restored: every table's row count and every fingerprint it recorded must come back.</summary>
    public BackupSet? Set { get; init; }

    /// <summary>
    /// Without <see cref="Set"/>: the newest own set taken before the restore point, what the database held then. The
    /// critical tables must hold at least its rows. Null when there is none: the tables are only checked to be there.
    /// </summary>
    public BackupSet? Evidence { get; init; }

    /// <summary>The critical tables (<c>schema.name</c>, or a bare name for <c>public</c> first) checked against <see cref="Evidence"/>.</summary>
    public IReadOnlyList<string> CriticalTables { get; init; } = [];

    /// <summary>The table whose newest row shows that recent transactions are present.</summary>
    public string? TransactionTable { get; init; }

    /// <summary>The point the database was restored to; the set's start when a set is given, else now.</summary>
    public DateTimeOffset? RestorePoint { get; init; }

    /// <summary>The newest transaction must be after the restore point minus this.</summary>
    public TimeSpan RecoveryPointObjective { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// With <see cref="Set"/>: a table the set does not hold passes, reported as new, instead of failing. For a database
    /// migrated after the restore, whose migrations may create tables the set predates.
    /// </summary>
    public bool AllowNewTables { get; init; }

    public int Jobs { get; init; } = 2;
}
