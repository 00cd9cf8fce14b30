using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// The names every store accepts: '/'-separated relative paths with no empty, "." or ".." segment, no backslash and
/// no control character, so one name means the same object in a folder, a container and a bucket.
/// </summary>
public static class ObjectNames
{
    /// <summary>Names below this first segment are the stores' own (a local store's files in flight and locks).</summary>
    public const string ReservedPrefix = ".hotmess-";

    public static string Validate(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var reason = ProblemOf(name);
        if (reason is not null)
        {
            throw new HotmessException("RepositoryObjectNameInvalid", FailureKind.InvalidArgument,
                $"'{name}' is not a repository object name: {reason}.", name);
        }

        return name;
    }

    /// <summary>A listing prefix: "" or the start of a name (it may end with '/').</summary>
    public static string ValidatePrefix(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        // A trailing '/' ends a folder-like prefix; what precedes it follows the rules of a name.
        if (prefix.Length > 0 && ProblemOf(prefix.EndsWith('/') ? prefix + "x" : prefix) is { } reason)
        {
            throw new HotmessException("RepositoryObjectNameInvalid", FailureKind.InvalidArgument,
                $"'{prefix}' is not a repository listing prefix: {reason}.", prefix);
        }

        return prefix;
    }

    private static string? ProblemOf(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Length > 900)
        {
            return "it is longer than 900 characters";
        }

        if (name.Any(c => c == '\\' || char.IsControl(c)))
        {
            return "it holds a backslash or a control character";
        }

        if (name.StartsWith('/') || name.EndsWith('/'))
        {
            return "it starts or ends with '/'";
        }

        var segments = name.Split('/');
        if (segments.Any(s => s.Length == 0 || s == "." || s == ".."))
        {
            return "it has an empty, '.' or '..' segment";
        }

        if (segments[0].StartsWith(ReservedPrefix, StringComparison.Ordinal))
        {
            return $"names starting with '{ReservedPrefix}' are the store's own";
        }

        return null;
    }
}
