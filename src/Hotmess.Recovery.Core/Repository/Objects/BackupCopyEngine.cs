using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;

namespace Hotmess.Recovery.Repository;

public sealed record BackupCopyRequest
{
    public const int DefaultParallelism = 8;

    /// <summary>A complete set of a local repository (from the pipeline).</summary>
    public required BackupSet Set { get; init; }

    public required ObjectRepository Destination { get; init; }

    /// <summary>Uploads in flight at once.</summary>
    public int Parallelism { get; init; } = DefaultParallelism;

    /// <summary>How long to wait for another copy or removal that holds the destination.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What a copy did: the set as it is at the destination, and what was uploaded or already there.</summary>
public sealed record BackupCopyResult(BackupSet Set, int Uploaded, long UploadedBytes, int AlreadyThere, bool SetAlreadyThere);

/// <summary>
/// Copies a local backup set into an object repository: its payload files and its content-store objects (shared with
/// every set there that holds the same bytes), its recorded verifications, and its manifest last, so the set is
/// listed at the destination only once everything it refers to is there and checked.
/// <para>
/// Only what the destination lacks is sent: one listing of its files and objects tells what is there (an object
/// store never shows a cut upload, so a present object of the right encrypted length is whole). A copy that was
/// interrupted is resumed by running it again; an unchanged set is recognised by one read of its manifest, before
/// any lease is taken. Every byte is checked end to end without a second transfer: the source is hashed as it is
/// read and the upload fails before completing when it is not what the manifest records; it is encrypted with an
/// authenticated cipher bound to its name; and the store confirms it stored exactly the ciphertext sent (a digest of
/// every request body, taken as it is read from the encrypting stream, that the service checks; see
/// <see cref="Stores.IObjectStore"/>), so a byte changed on the way fails the upload and nothing is stored.
/// </para>
/// </summary>
public static class BackupCopyEngine
{
    private const int ProgressActivity = 41;

    public static async Task<BackupCopyResult> CopyAsync(BackupCopyRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var destination = request.Destination;
        var sourceRepository = BackupRepository.Open(request.Set.Repository);
        var set = sourceRepository.GetSet(request.Set.Id);
        var manifest = set.Manifest;
        var key = destination.Key;

        // A manifest is written last and never changes, so a set whose manifest is there is complete: no lease needed.
        if (await destination.FindSetAsync(set.Id, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            return AlreadyThere(existing, destination, log);
        }

        await using var lease = await destination.LockAsync(request.LockTimeout, log, cancellationToken).ConfigureAwait(false);
        var manifestName = ObjectRepositoryLayout.ManifestName(key, set.Id);
        if (await destination.Store.GetInfoAsync(manifestName, cancellationToken).ConfigureAwait(false) is not null)
        {
            // Another copy completed it while this one waited for the lease.
            return AlreadyThere(await destination.GetSetAsync(set.Id, includeDamaged: false, cancellationToken).ConfigureAwait(false), destination, log);
        }

        var items = Items(set, sourceRepository, key);
        var present = await PresentAsync(destination, cancellationToken).ConfigureAwait(false);
        var missing = items.Where(i => !present.TryGetValue(i.Name, out var length) || length != RepositoryKey.EncryptedLength(i.Size)).ToList();
        var totalBytes = missing.Sum(i => i.Size);
        log.Verbose(string.Create(CultureInfo.InvariantCulture,
            $"Copying {set.Id} to '{destination.Location}': {missing.Count:N0} of {items.Count:N0} files and objects to send ({totalBytes:N0} bytes), {items.Count - missing.Count:N0} already there."));

        long sentBytes = 0;
        var sent = 0;
        var activity = $"Copying {set.Id} to {destination.Location}";
        await Parallel.ForEachAsync(missing,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Parallelism), CancellationToken = cancellationToken },
            async (item, token) =>
            {
                lease.EnsureHeld();
                await UploadAsync(destination, set, item, replace: present.ContainsKey(item.Name), token).ConfigureAwait(false);
                var bytes = Interlocked.Add(ref sentBytes, item.Size);
                var count = Interlocked.Increment(ref sent);
                log.Progress(new OperationProgress(ProgressActivity, activity, string.Create(CultureInfo.InvariantCulture, $"{count:N0} of {missing.Count:N0} ({bytes:N0} of {totalBytes:N0} bytes)"),
                    totalBytes == 0 ? 100 : (int)(100 * bytes / totalBytes), item.Described));
            }).ConfigureAwait(false);
        log.Progress(new OperationProgress(ProgressActivity, activity, "Done", Completed: true));

        await CopyVerificationsAsync(sourceRepository, set, destination, log, cancellationToken).ConfigureAwait(false);

        // Last: only now is the set listed at the destination.
        lease.EnsureHeld();
        await destination.WriteJsonAsync(manifestName, manifest, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Wrote the manifest of {set.Id} to '{destination.Location}': the set is complete there.");
        return new BackupCopyResult(destination.NewSet(manifest), sent, sentBytes, items.Count - missing.Count, SetAlreadyThere: false);
    }

    private static BackupCopyResult AlreadyThere(BackupSet existing, ObjectRepository destination, IOperationLog log)
    {
        log.Verbose($"The set {existing.Id} is already complete in '{destination.Location}'; nothing was sent.");
        return new BackupCopyResult(existing, 0, 0, 0, SetAlreadyThere: true);
    }

    /// <summary>Every file of the set and every distinct content-store object it refers to, with where each goes.</summary>
    private static List<CopyItem> Items(BackupSet set, BackupRepository source, RepositoryKey key)
    {
        var items = new List<CopyItem>();
        var setFolder = Path.GetFullPath(set.Path) + Path.DirectorySeparatorChar;
        foreach (var file in set.Manifest.Files)
        {
            var local = Path.GetFullPath(Path.Combine(set.Path, file.Path));
            if (!local.StartsWith(setFolder, StringComparison.Ordinal))
            {
                throw new HotmessException("ManifestInvalid", FailureKind.InvalidData, $"The manifest of '{set.Id}' names the file '{file.Path}' outside its own set; it is not copied.", set.Id);
            }

            items.Add(new CopyItem(ObjectRepositoryLayout.FileName(key, set.Id, file.Path), ObjectRepositoryLayout.FileLogicalName(set.Id, file.Path),
                local, file.Size, file.Sha256, $"file '{file.Path}'"));
        }

        foreach (var entry in (set.Manifest.Storage?.Objects ?? []).GroupBy(o => o.Sha256, StringComparer.Ordinal).Select(g => g.First()))
        {
            items.Add(new CopyItem(ObjectRepositoryLayout.ContentName(key, entry.Sha256), ObjectRepositoryLayout.ContentLogicalName(entry.Sha256),
                source.Content.PathOf(entry.Sha256), entry.Size, entry.Sha256, $"object '{entry}'"));
        }

        return items;
    }

    /// <summary>The lengths of everything under the destination's files and objects, from two listings rather than a request per item.</summary>
    private static async Task<Dictionary<string, long>> PresentAsync(ObjectRepository destination, CancellationToken cancellationToken)
    {
        var present = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var folder in new[] { ObjectRepositoryLayout.FilesFolder, ObjectRepositoryLayout.ObjectsFolder })
        {
            await foreach (var info in destination.Store.ListAsync(folder, cancellationToken).ConfigureAwait(false))
            {
                present[info.Name] = info.Length;
            }
        }

        return present;
    }

    private static async Task UploadAsync(ObjectRepository destination, BackupSet set, CopyItem item, bool replace, CancellationToken cancellationToken)
    {
        Stream source;
        try
        {
            source = new FileStream(item.LocalPath, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.Read,
                Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
                BufferSize = 0,
            });
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SourceDamaged(set, item, "it is missing", ex);
        }

        // The source is checked as it is read: damaged bytes end the upload before it completes, and nothing is stored.
        // The store checks the ciphertext it receives against the digest sent with it, so no read-back is needed.
        await using var checkedSource = new Sha256CheckingStream(source, item.Sha256, item.Size, why => SourceDamaged(set, item, why));
        await destination.PutEncryptedAsync(item.Name, item.LogicalName, checkedSource, ifAbsent: !replace, cancellationToken).ConfigureAwait(false);
    }

    private static HotmessException SourceDamaged(BackupSet set, CopyItem item, string why, Exception? inner = null) =>
        new("BackupCorrupted", FailureKind.InvalidData,
            $"The backup set '{set.Id}' is damaged in '{set.Repository}': its {item.Described} does not match the manifest ({why}). Nothing of it was stored at the destination; run Test-HotmessBackup on the set.",
            set.Id, inner);

    private static async Task CopyVerificationsAsync(BackupRepository source, BackupSet set, ObjectRepository destination, IOperationLog log, CancellationToken cancellationToken)
    {
        List<BackupVerification> verifications;
        try
        {
            verifications = source.GetVerifications(set.Id).ToList();
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            log.Warning($"The verification records of {set.Id} cannot be read and were not copied: {ex.Message}");
            return;
        }

        foreach (var verification in verifications)
        {
            var name = ObjectRepositoryLayout.VerificationName(destination.Key, verification.SetId, verification.CompletedUtc);
            if (await destination.Store.GetInfoAsync(name, cancellationToken).ConfigureAwait(false) is null)
            {
                await destination.WriteJsonAsync(name, verification, cancellationToken).ConfigureAwait(false);
            }
        }

        if (verifications.Count > 0)
        {
            log.Verbose($"The {verifications.Count} recorded verification(s) of {set.Id} are at the destination too.");
        }
    }

    private sealed record CopyItem(string Name, string LogicalName, string LocalPath, long Size, string Sha256, string Described);
}
