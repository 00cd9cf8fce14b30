namespace Hotmess.Recovery.DataRetention;

/// <summary>What one rule did in a data retention run (with -WhatIf, what it would do).</summary>
public sealed record DataRetentionResult
{
    public required string Rule { get; init; }

    public required string Table { get; init; }

    public required DataRetentionAction Action { get; init; }

    /// <summary>Rows deleted, anonymised or aggregated; with -WhatIf, the rows that would be.</summary>
    public long Rows { get; init; }

    /// <summary>Due rows a hold exempted.</summary>
    public long Held { get; init; }

    public TimeSpan Duration { get; init; }

    public int Batches { get; init; }

    /// <summary>The longest batch transaction: the longest any row lock of this rule was held.</summary>
    public TimeSpan LongestBatch { get; init; }

    public DateTimeOffset? OldestDueUtc { get; init; }

    public DateTimeOffset? NewestDueUtc { get; init; }

    public bool WhatIf { get; init; }
}
