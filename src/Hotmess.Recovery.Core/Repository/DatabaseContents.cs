namespace Hotmess.Recovery.Repository;

/// <summary>The database part of a manifest: the evidence taken inside the exported snapshot.</summary>
public sealed class DatabaseContents
{
    public string SnapshotId { get; set; } = "";

    public string WalLsn { get; set; } = "";

    /// <summary>Folder of the pg_dump directory-format output, relative to the set.</summary>
    public string DumpPath { get; set; } = "dump";

    public List<string> CriticalTables { get; set; } = new();

    public List<TableEvidence> Tables { get; set; } = new();

    /// <summary>Roles that own or are granted objects in the dump; a restore creates the missing ones.</summary>
    public List<string> Roles { get; set; } = new();

    public List<string> ExcludedSchemas { get; set; } = new();
}

/// <summary>One table as the snapshot saw it.</summary>
public sealed class TableEvidence
{
    public string Schema { get; set; } = "";

    public string Name { get; set; } = "";

    public long RowCount { get; set; }

    /// <summary>Order-independent content fingerprint; only for critical tables.</summary>
    public string? Fingerprint { get; set; }

    /// <summary>The timestamp column the newest value was read from, if the table has one.</summary>
    public string? TimestampColumn { get; set; }

    public DateTimeOffset? NewestTimestamp { get; set; }

    public string QualifiedName => $"{Schema}.{Name}";
}
