using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// A set being written. Until <see cref="CompleteAsync"/> renames the manifest into place it is incomplete;
/// <see cref="Abandon"/> removes what was written, so a failed backup never looks complete.
/// </summary>
public sealed class PendingBackupSet
{
    internal PendingBackupSet(BackupRepository repository, string id, BackupKind kind, string path, DateTimeOffset startedUtc)
    {
        Repository = repository;
        Id = id;
        Kind = kind;
        Path = path;
        StartedUtc = startedUtc;
    }

    public BackupRepository Repository { get; }

    public string Id { get; }

    public BackupKind Kind { get; }

    public string Path { get; }

    public DateTimeOffset StartedUtc { get; }

    /// <summary>Hashes every file under the set folder (in parallel) into manifest entries.</summary>
    public async Task<List<PayloadFile>> HashPayloadAsync(int parallelism, CancellationToken cancellationToken)
    {
        var files = Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)
            .Where(f => !System.IO.Path.GetFileName(f).StartsWith(BackupRepository.ManifestFileName, StringComparison.Ordinal))
            .ToList();
        var entries = new PayloadFile[files.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, files.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism), CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var file = files[i];
                var relative = System.IO.Path.GetRelativePath(Path, file).Replace('\\', '/');
                entries[i] = new PayloadFile(relative, new FileInfo(file).Length, await Hashing.Sha256FileAsync(file, token).ConfigureAwait(false));
            }).ConfigureAwait(false);
        return entries.OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Makes the set complete: every payload file and folder is made private (0600/0700 on Unix, whatever program
    /// wrote it) and flushed to disk, the content store's new blobs are synced under their names, then the manifest
    /// is written and renamed into place, and the folders that name the set are synced. A set is never complete
    /// before what it refers to is on disk.
    /// </summary>
    public BackupSet Complete(BackupManifest manifest)
    {
        manifest.Id = Id;
        manifest.Kind = Kind;
        manifest.StartedUtc = StartedUtc;
        if (manifest.CompletedUtc == default)
        {
            manifest.CompletedUtc = DateTimeOffset.UtcNow;
        }

        SealPayload();
        Repository.Content.SyncFolders();
        Json.WriteAtomically(System.IO.Path.Combine(Path, BackupRepository.ManifestFileName), manifest);
        FileDurability.SyncFolder(Repository.SetsPath);
        return BackupKinds.Of(Kind).NewSet(Repository.Root, Path, manifest);
    }

    private void SealPayload()
    {
        foreach (var file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
        {
            PrivateFiles.Restrict(file, folder: false);
            FileDurability.FlushToDisk(file);
        }

        // Deepest first, so a folder is synced after the names in it.
        foreach (var folder in Directory.EnumerateDirectories(Path, "*", SearchOption.AllDirectories).OrderByDescending(f => f.Length).Append(Path))
        {
            PrivateFiles.Restrict(folder, folder: true);
            FileDurability.SyncFolder(folder);
        }
    }

    public void Abandon()
    {
        try
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left behind without a manifest it is still never listed as complete.
        }
    }
}
