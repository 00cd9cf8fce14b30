namespace Hotmess.Recovery.Repository;

/// <summary>
/// A set of an object repository fetched into a private local cache (a folder 0700 laid out as a local repository),
/// where the engines that restore and verify local sets read it. Disposing removes the cache.
/// </summary>
public sealed class FetchedBackupSet : IDisposable
{
    internal FetchedBackupSet(string cacheRoot, BackupRepository cache, BackupSet set, IReadOnlyList<FetchFailure> failures)
    {
        CacheRoot = cacheRoot;
        Cache = cache;
        Set = set;
        Failures = failures;
    }

    public string CacheRoot { get; }

    /// <summary>The cache as a local repository: the set, and the manifest of the set before it when asked for.</summary>
    public BackupRepository Cache { get; }

    /// <summary>The set as the local engines read it.</summary>
    public BackupSet Set { get; }

    /// <summary>What did not authenticate or match (only when fetched for verification; otherwise the fetch throws instead).</summary>
    public IReadOnlyList<FetchFailure> Failures { get; }

    public void Dispose() => RemoveCache(CacheRoot);

    internal static void RemoveCache(string cacheRoot)
    {
        try
        {
            if (Directory.Exists(cacheRoot))
            {
                Directory.Delete(cacheRoot, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A file still open (a restore tool killed mid-read) keeps it; the folder is private and in the temporary folder.
        }
    }
}

/// <summary>One file or object of a remote set that could not be fetched intact, and why.</summary>
public sealed record FetchFailure(string Described, string Reason);
