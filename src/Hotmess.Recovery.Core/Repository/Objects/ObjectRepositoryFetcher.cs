using System.Collections.Concurrent;
using System.Globalization;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

public sealed record FetchRequest
{
    public const int DefaultParallelism = 8;

    /// <summary>A set of <see cref="Source"/>, e.g. from its listing.</summary>
    public required BackupSet Set { get; init; }

    public required ObjectRepository Source { get; init; }

    /// <summary>
    /// For verification: a file or object that does not authenticate is left out and recorded in
    /// <see cref="FetchedBackupSet.Failures"/>, so the check names every one. Otherwise the first one fails the fetch.
    /// </summary>
    public bool CollectFailures { get; init; }

    /// <summary>Also writes the manifest of the set of the same kind taken before, for the verification's size comparison.</summary>
    public bool IncludePreviousManifest { get; init; }

    public int Parallelism { get; init; } = DefaultParallelism;

    /// <summary>Where the private cache folder is created; the system's temporary folder when null.</summary>
    public string? CacheParent { get; init; }
}

/// <summary>
/// Fetches a set of an object repository into a private local cache, streamed: each file and object is downloaded,
/// decrypted chunk by chunk (a chunk that does not authenticate stops it) and hashed on its way to the disk, never
/// held in memory whole. The engines that restore and verify local sets then read the cache.
/// </summary>
public static class ObjectRepositoryFetcher
{
    private const int ProgressActivity = 42;

    public static async Task<FetchedBackupSet> FetchAsync(FetchRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var source = request.Source;
        var listed = request.Set;
        listed.EnsureUsable();
        var set = await source.GetSetAsync(listed.Id, includeDamaged: false, cancellationToken).ConfigureAwait(false);

        var cacheRoot = Path.Combine(request.CacheParent ?? Path.GetTempPath(), "hotmess-cache-" + Guid.NewGuid().ToString("N")[..12]);
        PrivateFiles.CreateFolder(cacheRoot);
        try
        {
            var cache = BackupRepository.OpenOrCreate(cacheRoot);
            var setFolder = Path.Combine(cache.SetsPath, set.Id);
            PrivateFiles.CreateFolder(setFolder);
            var failures = new ConcurrentBag<FetchFailure>();

            var items = Items(set, source, cache, setFolder);
            var total = items.Sum(i => i.Size);
            long done = 0;
            var activity = $"Fetching {set.Id} from {source.Location}";
            log.Verbose(string.Create(CultureInfo.InvariantCulture, $"Fetching {set.Id} from '{source.Location}' into the private cache '{cacheRoot}': {items.Count:N0} files and objects, {total:N0} bytes."));
            await Parallel.ForEachAsync(items,
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, request.Parallelism), CancellationToken = cancellationToken },
                async (item, token) =>
                {
                    try
                    {
                        await item.Fetch(token).ConfigureAwait(false);
                    }
                    catch (HotmessException ex) when (ex.Kind is FailureKind.InvalidData or FailureKind.NotFound)
                    {
                        if (!request.CollectFailures)
                        {
                            throw new HotmessException("BackupCorrupted", FailureKind.InvalidData,
                                $"The backup set '{set.Id}' in '{source.Location}' is damaged: its {item.Described} {Reason(ex)}. Nothing was restored; restore from another set.",
                                set.Id, ex);
                        }

                        failures.Add(new FetchFailure(item.Described, Reason(ex)));
                    }

                    var bytes = Interlocked.Add(ref done, item.Size);
                    log.Progress(new OperationProgress(ProgressActivity, activity, string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} of {total:N0} bytes"),
                        total == 0 ? 100 : (int)(100 * bytes / total), item.Described));
                }).ConfigureAwait(false);
            log.Progress(new OperationProgress(ProgressActivity, activity, "Done", Completed: true));

            Json.WriteAtomically(Path.Combine(setFolder, BackupRepository.ManifestFileName), set.Manifest);
            if (request.IncludePreviousManifest)
            {
                await WritePreviousManifestAsync(source, set, cache, log, cancellationToken).ConfigureAwait(false);
            }

            var ordered = failures.OrderBy(f => f.Described, StringComparer.Ordinal).ToList();
            return new FetchedBackupSet(cacheRoot, cache, cache.GetSet(set.Id), ordered);
        }
        catch
        {
            FetchedBackupSet.RemoveCache(cacheRoot);
            throw;
        }
    }

    private static string Reason(HotmessException ex) => ex.Kind == FailureKind.NotFound
        ? "is missing from the repository"
        : $"does not authenticate or match the manifest ({ex.Message})";

    private static List<FetchItem> Items(BackupSet set, ObjectRepository source, BackupRepository cache, string setFolder)
    {
        var items = new List<FetchItem>();
        var root = Path.GetFullPath(setFolder) + Path.DirectorySeparatorChar;
        foreach (var file in set.Manifest.Files)
        {
            var target = Path.GetFullPath(Path.Combine(setFolder, file.Path));
            if (!target.StartsWith(root, StringComparison.Ordinal))
            {
                throw new HotmessException("ManifestInvalid", FailureKind.InvalidData, $"The manifest of '{set.Id}' names the file '{file.Path}' outside its own set.", set.Id);
            }

            var described = $"file '{file.Path}'";
            items.Add(new FetchItem(described, file.Size, token => WriteAsync(source, ObjectRepositoryLayout.FileName(source.Key, set.Id, file.Path),
                ObjectRepositoryLayout.FileLogicalName(set.Id, file.Path), file.Sha256, file.Size, described, target, token)));
        }

        foreach (var entry in (set.Manifest.Storage?.Objects ?? []).GroupBy(o => o.Sha256, StringComparer.Ordinal).Select(g => g.First()))
        {
            var described = $"object '{entry}' (sha256 {entry.Sha256})";
            items.Add(new FetchItem(described, entry.Size, token => WriteAsync(source, ObjectRepositoryLayout.ContentName(source.Key, entry.Sha256),
                ObjectRepositoryLayout.ContentLogicalName(entry.Sha256), entry.Sha256, entry.Size, described, cache.Content.PathOf(entry.Sha256), token)));
        }

        return items;
    }

    /// <summary>
    /// Downloads, decrypts and hashes one file or object straight to its place in the cache. The digest is the
    /// manifest's, checked once as the bytes pass; a file that fails it is deleted, and the fetch fails. The cache is
    /// private and removed after use, so nothing is flushed to disk: a crash loses only a cache nobody trusts.
    /// </summary>
    private static async Task WriteAsync(ObjectRepository source, string name, string logicalName, string sha256, long size, string described, string target,
        CancellationToken cancellationToken)
    {
        PrivateFiles.CreateFolder(Path.GetDirectoryName(target)!);
        try
        {
            var decrypted = await source.OpenDecryptedAsync(name, logicalName, cancellationToken).ConfigureAwait(false);
            await using var plaintext = new Sha256CheckingStream(decrypted, sha256, size,
                why => new HotmessException("RepositoryObjectCorrupted", FailureKind.InvalidData, why, described));
            await using var output = new FileStream(target, PrivateFiles.Options(FileMode.Create, FileAccess.Write, options: FileOptions.Asynchronous, bufferSize: 0,
                preallocationSize: size));
            await plaintext.CopyToAsync(output, 1 << 17, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            File.Delete(target);
            throw;
        }
    }

    private static async Task WritePreviousManifestAsync(ObjectRepository source, BackupSet set, BackupRepository cache, IOperationLog log, CancellationToken cancellationToken)
    {
        var previous = (await source.GetSetsAsync(set.Kind, log, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(s => string.CompareOrdinal(s.Id, set.Id) < 0);
        if (previous is null)
        {
            return;
        }

        var folder = Path.Combine(cache.SetsPath, previous.Id);
        PrivateFiles.CreateFolder(folder);
        Json.WriteAtomically(Path.Combine(folder, BackupRepository.ManifestFileName), previous.Manifest);
    }

    private sealed record FetchItem(string Described, long Size, Func<CancellationToken, Task> Fetch);
}
