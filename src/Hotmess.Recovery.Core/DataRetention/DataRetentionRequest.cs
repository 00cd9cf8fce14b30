namespace Hotmess.Recovery.DataRetention;

public sealed record DataRetentionRequest
{
    /// <summary>An Npgsql connection string, already resolved (password, SSL) by the caller.</summary>
    public required string ConnectionString { get; init; }

    public required DataRetentionPolicy Policy { get; init; }

    /// <summary>Count and report only; nothing is changed and no audit record is written.</summary>
    public bool WhatIf { get; init; }

    /// <summary>Rows per transaction at most: bounds how many rows one transaction locks.</summary>
    public int BatchSize { get; init; } = 1000;

    /// <summary>
    /// How long a batch transaction should hold its locks. Batches start small and double while they take less than
    /// half of this, and halve when they take longer, so a rule whose rows are slow to remove (say, a foreign key
    /// checked without an index) still holds its locks briefly.
    /// </summary>
    public TimeSpan TargetBatchDuration { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a batch waits for a lock another session holds before it gives up and tries again (lock_timeout).</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Attempts of a batch that meets a lock held elsewhere, before the run fails naming the rule.</summary>
    public int LockAttempts { get; init; } = 5;

    /// <summary>The repository that receives the run's audit record and whose database sets are checked for erased data; none when null.</summary>
    public string? Repository { get; init; }

    /// <summary>The longest time the policy allows erased data to live on; older backup sets holding data erased since are reported.</summary>
    public TimeSpan ErasureWindow { get; init; } = TimeSpan.FromDays(30);

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
