using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>An exclusive lock file; the operating system releases it if the process dies.</summary>
public sealed class RepositoryLock : IDisposable
{
    private readonly FileStream _stream;

    private RepositoryLock(FileStream stream) => _stream = stream;

    public static RepositoryLock Acquire(string folder, string name)
    {
        PrivateFiles.CreateFolder(folder);
        var path = Path.Combine(folder, name + ".lock");
        try
        {
            var stream = new FileStream(path, PrivateFiles.Options(FileMode.OpenOrCreate, FileAccess.ReadWrite));
            stream.SetLength(0);
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.Write($"{System.Environment.ProcessId} {DateTimeOffset.UtcNow:O}");
            }

            stream.Flush();
            return new RepositoryLock(stream);
        }
        catch (IOException ex)
        {
            throw new HotmessException("RepositoryLocked", FailureKind.InvalidOperation,
                $"Another {name} backup is writing to this repository (lock '{path}').", path, ex);
        }
    }

    public void Dispose() => _stream.Dispose();
}
