using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// The repository's content-addressed store, <c>objects/ab/abcdef…</c>: a blob's name is the SHA-256 of its
/// bytes, so identical content is stored once and shared by every set. Names come only from digests this class
/// computed or validated, never from object keys. A blob is written to <c>objects/tmp/</c> while it is hashed,
/// flushed to disk, then renamed into place, so a blob under its digest is always complete. The folders blobs are
/// renamed into are synced by <see cref="SyncFolders"/>, once for many blobs, before a manifest refers to them.
/// </summary>
public sealed class ContentStore
{
    private const int BufferSize = 1 << 17;
    private const string TemporaryFolderName = "tmp";
    private const string TemporarySuffix = ".partial";

    /// <summary>Folders whose new names (blobs renamed in, prefix folders created) are not yet synced.</summary>
    private readonly ConcurrentDictionary<string, bool> _unsyncedFolders = new(StringComparer.Ordinal);

    public ContentStore(string root)
    {
        Root = Path.GetFullPath(root);
    }

    public string Root { get; }

    private string TemporaryPath => Path.Combine(Root, TemporaryFolderName);

    /// <summary>True for 64 lowercase hex digits, the only names the store hands out.</summary>
    public static bool IsDigest(string? sha256) => sha256 is { Length: 64 } && sha256.All(IsHex);

    /// <summary>Where the blob of <paramref name="sha256"/> lives; refuses anything that is not a digest.</summary>
    public string PathOf(string sha256)
    {
        if (!IsDigest(sha256))
        {
            throw new HotmessException("ContentDigestInvalid", FailureKind.InvalidData,
                $"'{sha256}' is not a SHA-256 digest (64 lowercase hex digits).", sha256);
        }

        return Path.Combine(Root, sha256[..2], sha256);
    }

    /// <summary>True when the blob exists with the given size: what an incremental run relies on before reusing it.</summary>
    public bool Contains(string sha256, long size)
    {
        if (!IsDigest(sha256))
        {
            return false;
        }

        var info = new FileInfo(PathOf(sha256));
        return info.Exists && info.Length == size;
    }

    /// <summary>
    /// The digests of every blob in the store, read from the folder listings alone (what a prune compares with what
    /// the sets refer to). A blob is only ever renamed into place whole, so its name is enough.
    /// </summary>
    public HashSet<string> Digests()
    {
        var digests = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(Root))
        {
            return digests;
        }

        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            var prefix = Path.GetFileName(folder);
            if (prefix.Length != 2 || !prefix.All(IsHex))
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var name = Path.GetFileName(file);
                if (IsDigest(name) && name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    digests.Add(name);
                }
            }
        }

        return digests;
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the store while hashing it. Nothing is left behind when reading or
    /// writing fails: the temporary file is deleted and the exception propagates.
    /// </summary>
    public async Task<StoredContent> AddAsync(Stream source, long? expectedLength, CancellationToken cancellationToken)
    {
        PrivateFiles.CreateFolder(TemporaryPath);
        var temporary = Path.Combine(TemporaryPath, Guid.NewGuid().ToString("N") + TemporarySuffix);
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            string digest;
            long size = 0;
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var options = PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write, options: FileOptions.Asynchronous, bufferSize: 0,
                    preallocationSize: expectedLength is > 0 ? expectedLength.Value : 0);
                await using (var file = new FileStream(temporary, options))
                {
                    int read;
                    while ((read = await source.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                        size += read;
                    }

                    FileDurability.FlushToDisk(file);
                }

                digest = Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
            }

            var target = PathOf(digest);
            var alreadyStored = Contains(digest, size);
            var folder = Path.GetDirectoryName(target)!;
            if (!Directory.Exists(folder))
            {
                PrivateFiles.CreateFolder(folder);
                _unsyncedFolders.TryAdd(Root, true);
            }

            try
            {
                // Replacing an existing blob with freshly hashed bytes also repairs one that rotted in place.
                FileDurability.Move(temporary, target, overwrite: true);
                _unsyncedFolders.TryAdd(folder, true);
            }
            catch (IOException) when (alreadyStored)
            {
                // The blob is open elsewhere (a restore reading it); the copy there has the right size.
                File.Delete(temporary);
            }

            return new StoredContent(digest, size, alreadyStored);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Syncs every folder a blob was renamed into since the last call: afterwards every blob this store added is on
    /// disk under its name. A set is completed only after this (<see cref="PendingBackupSet.Complete"/> calls it).
    /// </summary>
    public void SyncFolders()
    {
        var folders = _unsyncedFolders.Keys.ToList();
        Parallel.ForEach(folders, new ParallelOptions { MaxDegreeOfParallelism = 16 }, folder =>
        {
            // Forgotten before the sync, so a blob renamed in meanwhile marks its folder again.
            _unsyncedFolders.TryRemove(folder, out _);
            FileDurability.SyncFolder(folder);
        });
    }

    /// <summary>Opens a blob for reading; the caller owns the stream.</summary>
    public FileStream OpenRead(string sha256) =>
        new(PathOf(sha256), new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.Read,
            Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
            BufferSize = 0,
        });

    /// <summary>Checks one blob: present, of the right size, and (when <paramref name="hash"/>) of the right digest.</summary>
    public async Task<ContentCheck> CheckAsync(string sha256, long size, bool hash, CancellationToken cancellationToken)
    {
        if (!IsDigest(sha256))
        {
            return new ContentCheck(ContentState.Missing, null, null);
        }

        var info = new FileInfo(PathOf(sha256));
        if (!info.Exists)
        {
            return new ContentCheck(ContentState.Missing, null, null);
        }

        if (info.Length != size)
        {
            return new ContentCheck(ContentState.WrongSize, info.Length, null);
        }

        if (!hash)
        {
            return new ContentCheck(ContentState.Present, info.Length, null);
        }

        var actual = await Hashing.Sha256FileAsync(info.FullName, cancellationToken).ConfigureAwait(false);
        return new ContentCheck(actual == sha256 ? ContentState.Present : ContentState.Corrupt, info.Length, actual);
    }

    /// <summary>
    /// Deletes what runs that were interrupted left in the temporary folder: every file there is a download in
    /// flight, whatever its name. Call it only while holding the storage lock, so no running backup is writing one.
    /// </summary>
    public int RemoveTemporaryFiles()
    {
        if (!Directory.Exists(TemporaryPath))
        {
            return 0;
        }

        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(TemporaryPath))
        {
            if (TryDelete(file))
            {
                removed++;
            }
        }

        return removed;
    }

    private static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f';

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>A blob the store holds; <see cref="AlreadyStored"/> when identical content was there before.</summary>
public readonly record struct StoredContent(string Sha256, long Size, bool AlreadyStored);

public enum ContentState
{
    Present,
    Missing,
    WrongSize,
    Corrupt,
}

/// <summary>The state of one blob, with the size and digest found (when read).</summary>
public readonly record struct ContentCheck(ContentState State, long? ActualSize, string? ActualSha256);
