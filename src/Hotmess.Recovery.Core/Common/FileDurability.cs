using System.Runtime.InteropServices;

namespace Hotmess.Recovery.Common;

/// <summary>
/// Puts written bytes and renames on disk before anything refers to them: a file's data is flushed before it is
/// renamed into place, and on Unix the folder is synced after the rename so the new name survives a power cut too.
/// </summary>
internal static class FileDurability
{
    private static readonly AsyncLocal<List<DurabilityStep>?> Observed = new();

    /// <summary>Flushes what was written through <paramref name="stream"/> from the operating system's cache to the disk.</summary>
    public static void FlushToDisk(FileStream stream)
    {
        stream.Flush(flushToDisk: true);
        Record(DurabilityAction.FileFlushed, Path.GetFullPath(stream.Name));
    }

    /// <summary>Flushes a file that is already written and closed (a file another program wrote).</summary>
    public static void FlushToDisk(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1);
        FlushToDisk(stream);
    }

    /// <summary>Renames <paramref name="source"/> over <paramref name="target"/>; call <see cref="SyncFolder"/> after the last rename of a folder.</summary>
    public static void Move(string source, string target, bool overwrite)
    {
        File.Move(source, target, overwrite);
        Record(DurabilityAction.Renamed, Path.GetFullPath(target), Path.GetFullPath(source));
    }

    /// <summary>Syncs a folder's entries (the names created, renamed or removed in it). Windows journals them itself.</summary>
    public static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsWindows())
        {
            var descriptor = Open(folder, 0);
            if (descriptor < 0)
            {
                throw new IOException($"The folder '{folder}' cannot be opened to sync it (errno {Marshal.GetLastPInvokeError()}).");
            }

            try
            {
                if (Fsync(descriptor) != 0)
                {
                    throw new IOException($"The folder '{folder}' cannot be synced to disk (errno {Marshal.GetLastPInvokeError()}).");
                }
            }
            finally
            {
                _ = Close(descriptor);
            }
        }

        Record(DurabilityAction.FolderSynced, Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
    }

    /// <summary>Records every flush, rename and folder sync of the current flow (and the tasks it starts) until disposed.</summary>
    internal static Observation Observe()
    {
        var steps = new List<DurabilityStep>();
        Observed.Value = steps;
        return new Observation(steps);
    }

    private static void Record(DurabilityAction action, string path, string? from = null)
    {
        if (Observed.Value is { } steps)
        {
            lock (steps)
            {
                steps.Add(new DurabilityStep(action, path, from));
            }
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int descriptor);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int descriptor);

    internal sealed class Observation(List<DurabilityStep> steps) : IDisposable
    {
        /// <summary>The steps in the order they happened; a copy, safe to read while writers run.</summary>
        public IReadOnlyList<DurabilityStep> Steps
        {
            get
            {
                lock (steps)
                {
                    return steps.ToList();
                }
            }
        }

        public void Dispose() => Observed.Value = null;
    }
}

internal enum DurabilityAction
{
    FileFlushed,
    Renamed,
    FolderSynced,
}

/// <summary>One step towards the disk; <see cref="From"/> is the old name of a renamed file.</summary>
internal sealed record DurabilityStep(DurabilityAction Action, string Path, string? From = null);
