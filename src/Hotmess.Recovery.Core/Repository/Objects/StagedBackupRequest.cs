using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>A backup for <see cref="StagedBackupEngine"/> to take into an encrypted local folder.</summary>
public sealed record StagedBackupRequest
{
    /// <summary>
    /// Opens (unlocks) the encrypted repository the set ends up in. The engine owns what it returns. It runs while the
    /// backup starts, since a memory-hard key derivation takes a while; when it fails the backup is stopped.
    /// </summary>
    public required Func<CancellationToken, Task<ObjectRepository>> OpenDestination { get; init; }

    /// <summary>
    /// The folder the staging goes under: the encrypted folder itself, so the plaintext dump is written on the disk
    /// that will hold the set (never a smaller, shared temporary one) and one rename away from its place.
    /// </summary>
    public required string StagingParent { get; init; }

    /// <summary>Takes the backup into the plain local repository at the folder it is given, and returns the complete set.</summary>
    public required Func<string, IOperationLog, CancellationToken, Task<BackupSet>> Backup { get; init; }

    /// <summary>Files encrypted into the destination at once.</summary>
    public int Parallelism { get; init; } = BackupCopyRequest.DefaultParallelism;

    /// <summary>How long to wait for a copy or removal that holds the destination.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(5);
}
