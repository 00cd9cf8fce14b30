using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Verification;

/// <summary>
/// Verifies a set of an object repository: fetches it into a private cache (a file or object that does not
/// authenticate is left out and becomes a failed check naming it), runs the verification a local set gets there
/// (a restore into a scratch database only when every file arrived intact), and records the result in the
/// repository the set lives in.
/// </summary>
public static class ObjectRepositoryVerifier
{
    /// <param name="set">A set of <paramref name="repository"/>, complete or damaged.</param>
    /// <param name="requestFor">The verification to run on the fetched copy: its cache repository and its set.</param>
    public static async Task<BackupVerification> VerifyAsync(ObjectRepository repository, BackupSet set, Func<BackupRepository, BackupSet, BackupVerificationRequest> requestFor,
        IOperationLog log, CancellationToken cancellationToken)
    {
        // Refused before anything is fetched; the check reads only the set's kind and the scratch target.
        BackupVerificationEngine.Validate(requestFor(null!, set));
        BackupVerification verification;
        if (set.State == BackupSetState.Damaged)
        {
            verification = BackupVerification.ForDamagedSet(set);
        }
        else
        {
            using var fetched = await ObjectRepositoryFetcher.FetchAsync(
                new FetchRequest { Set = set, Source = repository, CollectFailures = true, IncludePreviousManifest = true }, log, cancellationToken).ConfigureAwait(false);
            verification = await BackupVerificationEngine.VerifyAsync(requestFor(fetched.Cache, fetched.Set), log, cancellationToken).ConfigureAwait(false);
            var failed = fetched.Failures
                .Select(f => new VerificationCheck($"Authenticated {f.Described}", false, "decrypts and matches the manifest", "damaged", PayloadVerifier.Category,
                    $"In '{repository.Location}', set {set.Id}: {f.Described} {f.Reason}."))
                .ToList();
            verification.Checks.InsertRange(0, failed);
            foreach (var failure in fetched.Failures)
            {
                log.Warning($"The backup set {set.Id} in '{repository.Location}' is damaged: its {failure.Described} {failure.Reason}.");
            }
        }

        await repository.SaveVerificationAsync(verification, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Recorded the verification of {set.Id} in '{repository.Location}'.");
        return verification;
    }
}
