using System.Collections;

namespace Hotmess.Recovery.Common;

/// <summary>
/// The environment of a child process, built from scratch: the few variables a program needs to run and to speak
/// the user's language, plus what the module sets for it. Nothing else of the caller's reaches the child:
/// no <c>STRIPE_SECRET_KEY</c>, no <c>PGSERVICE</c>, <c>PGOPTIONS</c> or <c>PGHOST</c> that would redirect or alter it.
/// </summary>
public static class ChildProcessEnvironment
{
    // HOME: libpq's ~/.pgpass and ~/.postgresql/root.crt, read the same way by Npgsql. The Windows names let a program start there.
    private static readonly HashSet<string> Inherited = new(StringComparer.OrdinalIgnoreCase)
    {
        "PATH", "HOME", "LANG", "LANGUAGE", "TZ",
        "SystemRoot", "SystemDrive", "windir", "TEMP", "TMP", "USERPROFILE", "APPDATA", "PATHEXT", "ComSpec",
    };

    public static Dictionary<string, string> Build(IDictionary parent, IReadOnlyDictionary<string, string>? own)
    {
        var environment = new Dictionary<string, string>(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        foreach (DictionaryEntry entry in parent)
        {
            if (entry.Key is string name && entry.Value is string value && IsInherited(name))
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in own ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return environment;
    }

    private static bool IsInherited(string name) =>
        Inherited.Contains(name) || name.StartsWith("LC_", StringComparison.Ordinal);
}
