using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The configuration file says where secrets are sent, so only its owner (the current user, or root) may be able
/// to change it: a file that another local user can write is refused before it is read.
/// </summary>
public static class ConfigurationFileAccess
{
    private const UnixFileMode WritableByOthers = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    public static void EnsureOnlyOwnerCanWrite(string path)
    {
        // Windows guards the file with ACLs that a mode cannot describe; only Unix modes and owners are checked.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & WritableByOthers) != 0)
        {
            throw new HotmessException("ConfigurationWritableByOthers", FailureKind.PermissionDenied,
                $"The configuration file '{path}' can be changed by other users (mode {Octal(mode)}), and it says where secrets are sent; make it writable by its owner only: chmod go-w '{path}'",
                path);
        }

        var owner = UnixFileOwner.Of(path);
        var current = UnixFileOwner.Current;
        if (owner is { } uid && uid != 0 && uid != current)
        {
            throw new HotmessException("ConfigurationWritableByOthers", FailureKind.PermissionDenied,
                $"The configuration file '{path}' belongs to user id {uid}, not to you (user id {current}) or root, so its owner can change where secrets are sent; make it yours: chown {current} '{path}' && chmod go-w '{path}'",
                path);
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
