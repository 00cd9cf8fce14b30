using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// Where the passphrase of an encrypted repository comes from: a key file (-KeyFile) that only its owner can read,
/// else <see cref="EnvironmentVariable"/> (an Automation variable inside a runbook).
/// </summary>
public static class RepositoryKeySource
{
    public const string EnvironmentVariable = "HOTMESS_REPOSITORY_KEY";

    private const UnixFileMode OthersCanAccess = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>
    /// The passphrase: the key file's text without its line break when <paramref name="keyFile"/> is given, else the
    /// environment variable; <c>RepositoryKeyMissing</c> naming both ways when neither is there.
    /// </summary>
    public static Secret Resolve(string? keyFile, IDictionary environment, string repositoryLocation)
    {
        if (!string.IsNullOrEmpty(keyFile))
        {
            return FromKeyFile(keyFile);
        }

        return ConfigurationLoader.GetSecret(environment, EnvironmentVariable)
            ?? throw new HotmessException("RepositoryKeyMissing", FailureKind.InvalidArgument,
                $"The repository '{repositoryLocation}' is encrypted and no key was given: pass -KeyFile <path to a file holding the passphrase>, or set {EnvironmentVariable} (an Automation variable in a runbook).",
                repositoryLocation);
    }

    /// <summary>
    /// A key file holds the passphrase, on one line. One that other users can read or change (group or other mode
    /// bits), or that belongs to another user, is refused before it is read, as the configuration file is.
    /// </summary>
    public static Secret FromKeyFile(string path)
    {
        EnsureOnlyOwnerCanRead(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new HotmessException("RepositoryKeyFileNotFound", FailureKind.NotFound, $"The key file '{path}' does not exist.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HotmessException("RepositoryKeyFileUnreadable", FailureKind.PermissionDenied, $"The key file '{path}' cannot be read: {ex.Message}", path, ex);
        }

        var passphrase = text.TrimEnd('\r', '\n');
        return passphrase.Length > 0
            ? new Secret(passphrase)
            : throw new HotmessException("RepositoryKeyFileEmpty", FailureKind.InvalidArgument, $"The key file '{path}' is empty; it holds the repository's passphrase on one line.", path);
    }

    private static void EnsureOnlyOwnerCanRead(string path)
    {
        // Windows guards the file with ACLs that a mode cannot describe; only Unix modes and owners are checked.
        if (OperatingSystem.IsWindows() || !File.Exists(path))
        {
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & OthersCanAccess) != 0)
        {
            throw new HotmessException("RepositoryKeyFileReadableByOthers", FailureKind.PermissionDenied,
                $"The key file '{path}' can be read or changed by other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); make it its owner's alone: chmod 600 '{path}'",
                path);
        }

        var owner = UnixFileOwner.Of(path);
        var current = UnixFileOwner.Current;
        if (owner is { } uid && uid != 0 && uid != current)
        {
            throw new HotmessException("RepositoryKeyFileReadableByOthers", FailureKind.PermissionDenied,
                $"The key file '{path}' belongs to user id {uid}, not to you (user id {current}) or root, so its owner can read your repository's key; make it yours: chown {current} '{path}' && chmod 600 '{path}'",
                path);
        }
    }
}
