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

    public BackupSet Complete(BackupManifest manifest)
    {
        manifest.Id = Id;
        manifest.Kind = Kind;
        manifest.StartedUtc = StartedUtc;
        if (manifest.CompletedUtc == default)
        {
            manifest.CompletedUtc = DateTimeOffset.UtcNow;
        }

        Json.WriteAtomically(System.IO.Path.Combine(Path, BackupRepository.ManifestFileName), manifest);
        return new BackupSet(Repository.Root, Path, manifest);
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
