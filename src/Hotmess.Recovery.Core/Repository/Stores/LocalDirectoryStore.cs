using System.Runtime.CompilerServices;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// A store in a local folder. An object is written to a file in flight below <c>.hotmess-tmp/</c>, flushed to disk and
/// renamed into place (a rename is atomic, and put-if-absent renames without overwriting), then its folder is synced;
/// a crash leaves at worst a file in flight, which no listing shows. Leases are operating-system locks on files below
/// <c>.hotmess-locks/</c>: the lock goes with the process, so a lease never outlives its holder and needs no renewal.
/// Folders are 0700 and files 0600 on Unix, from the moment they are created.
/// </summary>
public sealed class LocalDirectoryStore : IObjectStore
{
    private const string InFlightFolder = ObjectNames.ReservedPrefix + "tmp";
    private const string LocksFolder = ObjectNames.ReservedPrefix + "locks";
    private const int CopyBufferSize = 1 << 20;

    private readonly string _root;

    public LocalDirectoryStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
    }

    public string Location => _root;

    /// <summary>The folder the objects are in.</summary>
    public string Root => _root;

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNames.ValidatePrefix(prefix);
        // Only the folder the prefix points into is walked; names are collected then sorted, as the remote stores list.
        var slash = prefix.LastIndexOf('/');
        var start = slash < 0 ? _root : PathOf(prefix[..slash]);
        if (!Directory.Exists(start))
        {
            yield break;
        }

        var found = new List<ObjectInfo>();
        foreach (var file in new DirectoryInfo(start).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var name = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (name.StartsWith(prefix, StringComparison.Ordinal) && !name.StartsWith(ObjectNames.ReservedPrefix, StringComparison.Ordinal))
            {
                found.Add(new ObjectInfo(name, file.Length, file.LastWriteTimeUtc));
            }
        }

        found.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        foreach (var info in found)
        {
            yield return info;
        }

        await Task.CompletedTask;
    }

    public Task<ObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        var file = new FileInfo(PathOf(ObjectNames.Validate(name)));
        return Task.FromResult(file.Exists ? new ObjectInfo(name, file.Length, file.LastWriteTimeUtc) : null);
    }

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(ObjectNames.Validate(name));
        try
        {
            // Delete sharing: a replacing rename or a delete does not wait for readers (they keep the old bytes).
            Stream stream = new FileStream(path, PrivateFiles.Options(FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, FileOptions.Asynchronous | FileOptions.SequentialScan, CopyBufferSize));
            return Task.FromResult(stream);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw StoreErrors.Missing(Location, name, ex);
        }
    }

    public async Task<bool> PutIfAbsentAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        var path = PathOf(ObjectNames.Validate(name));
        if (File.Exists(path))
        {
            return false;
        }

        return await WriteAsync(path, content, overwrite: false, cancellationToken);
    }

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken) =>
        await WriteAsync(PathOf(ObjectNames.Validate(name)), content, overwrite: true, cancellationToken);

    public Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var path = PathOf(ObjectNames.Validate(name));
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Its folder is gone, so the object is too.
        }

        return Task.CompletedTask;
    }

    public Task<IObjectStoreLease> AcquireLeaseAsync(string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        ObjectNames.Validate(name);
        var folder = Path.Combine(_root, LocksFolder);
        PrivateFiles.CreateFolder(folder);
        // One flat lock file per name: '/' cannot be in a file name, '%' can be escaped unambiguously.
        var path = Path.Combine(folder, name.Replace("%", "%25").Replace("/", "%2F") + ".lock");
        try
        {
            var stream = new FileStream(path, PrivateFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            stream.SetLength(0);
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.Write($"{System.Environment.ProcessId} {DateTimeOffset.UtcNow:O}");
            }

            stream.Flush();
            return Task.FromResult<IObjectStoreLease>(new FileLease(stream));
        }
        catch (IOException ex)
        {
            throw StoreErrors.Locked(Location, name, $" (lock file '{path}')", ex);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string PathOf(string name) => Path.Combine(_root, name.Replace('/', Path.DirectorySeparatorChar));

    private async Task<bool> WriteAsync(string path, Stream content, bool overwrite, CancellationToken cancellationToken)
    {
        var inFlightFolder = Path.Combine(_root, InFlightFolder);
        PrivateFiles.CreateFolder(inFlightFolder);
        var inFlight = Path.Combine(inFlightFolder, Guid.NewGuid().ToString("N") + ".partial");
        try
        {
            await using (var file = new FileStream(inFlight, PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous, CopyBufferSize)))
            {
                await content.CopyToAsync(file, CopyBufferSize, cancellationToken);
                FileDurability.FlushToDisk(file);
            }

            var folder = Path.GetDirectoryName(path)!;
            PrivateFiles.CreateFolder(folder);
            try
            {
                // Without overwrite this fails when the name exists (a hard link on Unix), so two writers cannot both win.
                FileDurability.Move(inFlight, path, overwrite);
            }
            catch (IOException) when (!overwrite && File.Exists(path))
            {
                return false;
            }

            FileDurability.SyncFolder(folder);
            return true;
        }
        finally
        {
            File.Delete(inFlight);
        }
    }

    private sealed class FileLease(FileStream stream) : IObjectStoreLease
    {
        public Task RenewAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DisposeAsync() => stream.DisposeAsync();
    }
}
