using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>Checks that every payload file of a set is present with the size and SHA-256 its manifest records.</summary>
public static class PayloadVerifier
{
    public const string Category = "Files";

    public static async Task CheckFilesAsync(BackupSet set, BackupVerification verification, int parallelism, IOperationLog log, CancellationToken cancellationToken)
    {
        var checks = new VerificationCheck[set.Manifest.Files.Count];
        var done = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, checks.Length),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (i, token) =>
            {
                checks[i] = await CheckFileAsync(set, set.Manifest.Files[i], token).ConfigureAwait(false);
                var count = Interlocked.Increment(ref done);
                log.Progress(new OperationProgress(2, $"Checking the files of {set.Id}", $"{count} of {checks.Length}", 100 * count / Math.Max(1, checks.Length), set.Manifest.Files[i].Path));
            }).ConfigureAwait(false);
        log.Progress(new OperationProgress(2, $"Checking the files of {set.Id}", "Done", Completed: true));
        verification.Checks.AddRange(checks);
        var failed = checks.Count(c => !c.Passed);
        log.Verbose(failed == 0 ? $"All {checks.Length} payload files match the manifest." : $"{failed} of {checks.Length} payload files do not match the manifest.");
    }

    /// <summary>
    /// Refuses a set whose payload differs from its manifest, naming the first file that does: what every restore calls
    /// before it touches a target, so a damaged set changes nothing.
    /// </summary>
    public static async Task EnsureIntactAsync(BackupSet set, int parallelism, IOperationLog log, CancellationToken cancellationToken)
    {
        var verification = new BackupVerification { SetId = set.Id, Kind = set.Kind, Repository = set.Repository };
        await CheckFilesAsync(set, verification, parallelism, log, cancellationToken).ConfigureAwait(false);
        // The checks come in the order of the manifest's files.
        var damaged = set.Manifest.Files.Zip(verification.Checks).Where(pair => !pair.Second.Passed).ToList();
        if (damaged.Count > 0)
        {
            var (file, check) = damaged[0];
            var others = damaged.Count switch
            {
                1 => "",
                2 => " (1 more file differs too)",
                _ => $" ({damaged.Count - 1} more files differ too)",
            };
            throw new HotmessException("BackupCorrupted", FailureKind.InvalidData,
                $"The backup set '{set.Id}' is damaged: the file '{file.Path}' is {check.Actual}, but the manifest records {check.Expected}{others}. Nothing was restored; restore from another set.",
                set.Id);
        }
    }

    private static async Task<VerificationCheck> CheckFileAsync(BackupSet set, PayloadFile file, CancellationToken cancellationToken)
    {
        var name = $"File {file.Path}";
        var expected = $"{file.Size} bytes, sha256 {file.Sha256}";
        var path = Path.GetFullPath(Path.Combine(set.Path, file.Path));
        if (!path.StartsWith(Path.GetFullPath(set.Path) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return new VerificationCheck(name, false, expected, "path outside the set", Category, "The manifest names a file outside its own set.");
        }

        if (!File.Exists(path))
        {
            return new VerificationCheck(name, false, expected, "missing", Category);
        }

        var size = new FileInfo(path).Length;
        if (size != file.Size)
        {
            return new VerificationCheck(name, false, expected, $"{size} bytes", Category);
        }

        var hash = await Hashing.Sha256FileAsync(path, cancellationToken).ConfigureAwait(false);
        return new VerificationCheck(name, hash == file.Sha256, expected, $"{size} bytes, sha256 {hash}", Category);
    }
}
