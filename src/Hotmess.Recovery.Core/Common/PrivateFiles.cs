namespace Hotmess.Recovery.Common;

/// <summary>
/// Folders and files of the backup repository are for their owner alone on Unix: folders 0700, files 0600.
/// The mode is given when the file or folder is created, so there is no moment when another local user can open it.
/// </summary>
internal static class PrivateFiles
{
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates a folder and its missing parents, each 0700; an existing folder is left as it is.</summary>
    public static DirectoryInfo CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(path);
        }

        // Directory.CreateDirectory(path, mode) gives the mode to the last folder only, not to the parents it creates.
        var missing = new Stack<string>();
        for (var folder = Path.GetFullPath(path); !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)!)
        {
            missing.Push(folder);
        }

        while (missing.TryPop(out var folder))
        {
            Directory.CreateDirectory(folder, FolderMode);
        }

        return new DirectoryInfo(path);
    }

    /// <summary>Options for a file that is created 0600 when <paramref name="mode"/> creates it.</summary>
    public static FileStreamOptions Options(System.IO.FileMode mode, FileAccess access, FileShare share = FileShare.None, FileOptions options = FileOptions.None, int bufferSize = 4096, long preallocationSize = 0)
    {
        var result = new FileStreamOptions
        {
            Mode = mode,
            Access = access,
            Share = share,
            Options = options,
            BufferSize = bufferSize,
            PreallocationSize = preallocationSize,
        };
        if (!OperatingSystem.IsWindows() && mode != System.IO.FileMode.Open && mode != System.IO.FileMode.Truncate)
        {
            result.UnixCreateMode = FileMode;
        }

        return result;
    }

    /// <summary>
    /// Narrows a file or folder another program wrote (pg_dump) to the owner alone. Only the mode bits change, and
    /// only when they differ, so a file that is private already is not touched.
    /// </summary>
    public static void Restrict(string path, bool folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var wanted = folder ? FolderMode : FileMode;
        if (File.GetUnixFileMode(path) != wanted)
        {
            File.SetUnixFileMode(path, wanted);
        }
    }
}
