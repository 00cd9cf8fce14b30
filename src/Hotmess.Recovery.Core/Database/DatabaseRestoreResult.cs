using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Database;

/// <summary>What a restore did, and how the restored tables compare with the manifest.</summary>
public sealed class DatabaseRestoreResult
{
    public string SetId { get; init; } = "";

    public string Target { get; init; } = "";

    public string Database { get; init; } = "";

    public bool DatabaseCreated { get; init; }

    /// <summary>What the target turned out to be (or was said to be): PostgreSQL or Supabase.</summary>
    public DatabaseTargetKind TargetKind { get; init; } = DatabaseTargetKind.PostgreSQL;

    /// <summary>What of the dump was left out, and why (a Supabase target's managed schemas, owners, refused objects).</summary>
    public List<RestoreSkip> Skipped { get; init; } = new();

    /// <summary>After a forced restore: the name the database as it was is kept under, until the caller drops it.</summary>
    public string? KeptDatabase { get; init; }

    /// <summary>Roles the dump needed that the server lacked, created (NOLOGIN) by this restore.</summary>
    public List<string> CreatedRoles { get; init; } = new();

    /// <summary>The statement that removes <see cref="KeptDatabase"/> once it is no longer needed.</summary>
    public string? RemoveKeptDatabase => KeptDatabase is null ? null : $"DROP DATABASE {TableMeasurement.Quote(KeptDatabase)};";

    public DateTimeOffset StartedUtc { get; init; }

    public DateTimeOffset CompletedUtc { get; set; }

    public TimeSpan Duration => CompletedUtc - StartedUtc;

    public List<TableEvidence> Tables { get; set; } = new();

    public List<TableComparison> Comparison { get; set; } = new();

    public bool RowCountsMatch => Comparison.TrueForAll(c => c.Matches);

    public int TableCount => Comparison.Count;

    public long RowCount => Tables.Sum(t => t.RowCount);
}

public sealed record TableComparison(string Table, long? Expected, long? Actual)
{
    public bool Matches => Expected == Actual;
}
