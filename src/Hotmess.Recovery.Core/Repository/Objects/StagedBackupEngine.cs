using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// A backup taken straight into an encrypted repository in a local folder. The tools that write a backup (pg_dump)
/// need a plain folder, so the backup is written into a private staging repository (<c>0700</c>, under the reserved
/// <c>.hotmess-staging/</c> of the encrypted folder, which no listing shows), then encrypted into the repository by
/// <see cref="BackupCopyEngine"/>, every byte checked against the manifest and the manifest last. The staging is
/// removed whatever happens (success, failure, cancellation); a run killed outright leaves it behind, and the next
/// staged backup removes it once no live run holds its lock. A failed backup never gets a manifest in the
/// repository, so it is never listed.
/// </summary>
public static class StagedBackupEngine
{
    public const string StagingFolderName = ObjectNames.ReservedPrefix + "staging";
    private const string LockSuffix = ".lock";

    /// <summary>The folder stagings go under, in <paramref name="stagingParent"/>.</summary>
    public static string StagingRoot(string stagingParent) => Path.Combine(Path.GetFullPath(stagingParent), StagingFolderName);

    public static async Task<BackupCopyResult> BackupAsync(StagedBackupRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var root = StagingRoot(request.StagingParent);
        PrivateFiles.CreateFolder(root);
        RemoveAbandoned(root, log);

        // The lock exists before the folder, so a concurrent run never takes a live staging for an abandoned one.
        var folder = Path.Combine(root, Guid.NewGuid().ToString("N"));
        using var held = Hold(folder + LockSuffix);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var opening = OpenAsync(request, either);
        try
        {
            PrivateFiles.CreateFolder(folder);
            log.Verbose($"Staging the backup in '{folder}' (private to this user); it is encrypted into the repository and removed.");
            BackupSet staged;
            try
            {
                staged = await request.Backup(folder, log, either.Token).ConfigureAwait(false);
            }
            catch when (either.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // The repository did not open (a wrong or missing key) and the backup was stopped for it: report why.
                await opening.ConfigureAwait(false);
                throw;
            }

            var destination = await opening.ConfigureAwait(false);
            var copied = await BackupCopyEngine.CopyAsync(new BackupCopyRequest
            {
                Set = staged,
                Destination = destination,
                Parallelism = request.Parallelism,
                LockTimeout = request.LockTimeout,
            }, log, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Backup set '{copied.Set.Id}' is complete in the encrypted repository '{destination.Location}'.");
            return copied;
        }
        finally
        {
            Remove(folder, log);
            TryDelete(folder + LockSuffix);
            await either.CancelAsync().ConfigureAwait(false);
            await CloseAsync(opening).ConfigureAwait(false);
        }
    }

    /// <summary>Opens the destination; a failure cancels <paramref name="either"/>, which stops the backup.</summary>
    private static async Task<ObjectRepository> OpenAsync(StagedBackupRequest request, CancellationTokenSource either)
    {
        try
        {
            return await request.OpenDestination(either.Token).ConfigureAwait(false);
        }
        catch
        {
            await either.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Disposes the destination once its opening has ended, whichever way.</summary>
    private static async Task CloseAsync(Task<ObjectRepository> opening)
    {
        try
        {
            await (await opening.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception) when (opening.IsFaulted || opening.IsCanceled)
        {
            // Reported already, or the run failed for another reason that is the one reported.
        }
    }

    /// <summary>Removes stagings whose lock no live run holds: what runs that were killed left behind.</summary>
    private static void RemoveAbandoned(string root, IOperationLog log)
    {
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            FileStream? abandoned;
            try
            {
                abandoned = Hold(folder + LockSuffix);
            }
            catch (IOException)
            {
                continue; // A live run is writing it.
            }

            using (abandoned)
            {
                log.Verbose($"Removing the staging '{folder}' that a run which did not finish left behind.");
                Remove(folder, log);
                TryDelete(folder + LockSuffix);
            }
        }
    }

    /// <summary>An exclusive lock file: an operating-system lock that goes with the process, so a killed run holds nothing.</summary>
    private static FileStream Hold(string path) =>
        new(path, PrivateFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));

    /// <summary>
    /// Removes a staging folder. A tool killed on cancellation may still be closing its files, so it is tried a few
    /// times; what is left is removed by the next staged backup, and it never holds a manifest the repository lists.
    /// </summary>
    private static void Remove(string folder, IOperationLog log)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }

                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                if (attempt == 5)
                {
                    log.Warning($"The staging '{folder}' could not be removed ({ex.Message}); the next backup into this repository removes it.");
                    return;
                }

                Thread.Sleep(200 * attempt);
            }
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // An empty lock file is harmless, and the next run reuses or removes it.
        }
    }
}
