namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// The audit record of one data retention run, kept in the repository under <c>retention/</c>: per rule the counts,
/// the time range of the rows acted on and the duration. Never a row's content, key or owner.
/// </summary>
public sealed class DataRetentionAuditRecord
{
    public string Id { get; set; } = string.Empty;

    public DataRetentionRunState State { get; set; }

    public DateTimeOffset StartedUtc { get; set; }

    public DateTimeOffset? CompletedUtc { get; set; }

    /// <summary>The policy file, or the default policy.</summary>
    public string Policy { get; set; } = string.Empty;

    /// <summary>SHA-256 of the policy's text as it ran, so a later reader knows which rules applied.</summary>
    public string PolicySha256 { get; set; } = string.Empty;

    /// <summary>Host and database, never credentials.</summary>
    public string Database { get; set; } = string.Empty;

    /// <summary>The interrupted run this one finished, when there was one.</summary>
    public string? Resumes { get; set; }

    public string? Failure { get; set; }

    public List<DataRetentionAuditRule> Rules { get; set; } = [];

    /// <summary>Database sets older than the erasure window that hold data erased since they were taken.</summary>
    public List<string> BackupSetsWithErasedData { get; set; } = [];
}

public enum DataRetentionRunState
{
    Running,
    Completed,
    Interrupted,
    Failed,
}

public sealed class DataRetentionAuditRule
{
    public string Rule { get; set; } = string.Empty;

    public string Table { get; set; } = string.Empty;

    public DataRetentionAction Action { get; set; }

    public long Rows { get; set; }

    public long Held { get; set; }

    public int Batches { get; set; }

    public DateTimeOffset? OldestDueUtc { get; set; }

    public DateTimeOffset? NewestDueUtc { get; set; }

    public double DurationSeconds { get; set; }

    public double LongestBatchSeconds { get; set; }

    public static DataRetentionAuditRule From(DataRetentionResult result) => new()
    {
        Rule = result.Rule,
        Table = result.Table,
        Action = result.Action,
        Rows = result.Rows,
        Held = result.Held,
        Batches = result.Batches,
        OldestDueUtc = result.OldestDueUtc,
        NewestDueUtc = result.NewestDueUtc,
        DurationSeconds = result.Duration.TotalSeconds,
        LongestBatchSeconds = result.LongestBatch.TotalSeconds,
    };
}
