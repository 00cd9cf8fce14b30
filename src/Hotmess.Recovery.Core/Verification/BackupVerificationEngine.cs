using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Verification;

public sealed record BackupVerificationRequest
{
    public required BackupRepository Repository { get; init; }

    public required BackupSet Set { get; init; }

    /// <summary>A scratch database that does not exist yet, to restore a database set into; only files are checked when null.</summary>
    public string? RestoreTo { get; init; }

    public int Jobs { get; init; } = 2;

    /// <summary>The recovery point objective: a database set older than this fails the recency check.</summary>
    public TimeSpan RecoveryPointObjective { get; init; } = TimeSpan.FromHours(24);

    /// <summary>For a storage set: the share of objects (percent) whose content is re-hashed.</summary>
    public double SamplePercent { get; init; } = 100;

    public string? PgBinDirectory { get; init; }
}

/// <summary>
/// Verifies one backup set the way its kind needs (a database set against its evidence, a storage set object by
/// object, any other set file by file) and records the result beside the set, leaving the manifest as it is.
/// </summary>
public static class BackupVerificationEngine
{
    /// <summary>Refuses a request that cannot be carried out, before anything is read or created.</summary>
    public static void Validate(BackupVerificationRequest request)
    {
        if (request.RestoreTo is null)
        {
            return;
        }

        if (request.Set.Kind != BackupKind.Database)
        {
            throw new HotmessException("RestoreToNeedsDatabaseSet", FailureKind.InvalidArgument,
                $"-RestoreTo restores database sets; '{request.Set.Id}' is a {request.Set.Kind} set.", request.Set.Id);
        }

        DatabaseVerifier.ParseScratch(request.RestoreTo);
    }

    /// <summary>The set of the same kind taken just before this one, for the size comparison; null for the first.</summary>
    public static BackupSet? PreviousSet(BackupRepository repository, BackupSet set) =>
        repository.GetSets(set.Kind).SkipWhile(s => s.Id != set.Id).Skip(1).FirstOrDefault();

    public static async Task<BackupVerification> VerifyAsync(BackupVerificationRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        Validate(request);
        var set = request.Set;
        var verification = set.State == BackupSetState.Damaged ? BackupVerification.ForDamagedSet(set) : set.Kind switch
        {
            BackupKind.Database => await DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest
            {
                Set = set,
                RestoreTo = request.RestoreTo,
                Jobs = request.Jobs,
                PreviousSet = PreviousSet(request.Repository, set),
                RecoveryPointObjective = request.RecoveryPointObjective,
                PgBinDirectory = request.PgBinDirectory,
            }, log, cancellationToken).ConfigureAwait(false),
            BackupKind.Storage => await StorageVerifier.VerifyAsync(set, request.SamplePercent, log, cancellationToken).ConfigureAwait(false),
            _ => await VerifyFilesAsync(set, request.Jobs, log, cancellationToken).ConfigureAwait(false),
        };
        if (set.Kind == BackupKind.Database && set.State != BackupSetState.Damaged
            && StorageDatabaseAgreement.NearestStorageSet(request.Repository, set) is { } storageSet)
        {
            await StorageDatabaseAgreement.CheckAsync(set, storageSet, verification, request.PgBinDirectory, log, cancellationToken).ConfigureAwait(false);
        }

        request.Repository.SaveVerification(verification);
        log.Verbose($"Recorded the verification of {set.Id} in '{verification.RecordPath}'.");
        return verification;
    }

    private static async Task<BackupVerification> VerifyFilesAsync(BackupSet set, int jobs, IOperationLog log, CancellationToken cancellationToken)
    {
        var verification = new BackupVerification { SetId = set.Id, Kind = set.Kind, Repository = set.Repository, StartedUtc = DateTimeOffset.UtcNow, Manifest = set.Manifest };
        await PayloadVerifier.CheckFilesAsync(set, verification, jobs, log, cancellationToken).ConfigureAwait(false);
        verification.CompletedUtc = DateTimeOffset.UtcNow;
        return verification;
    }
}
