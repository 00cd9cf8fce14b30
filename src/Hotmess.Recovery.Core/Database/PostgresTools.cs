using System.Globalization;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Database;

/// <summary>
/// Finds the real <c>pg_dump</c>, <c>pg_restore</c> and <c>psql</c>: <c>HOTMESS_PG_BIN</c>, then the newest
/// <c>/usr/lib/postgresql/N/bin</c>, then PATH. Refuses a <c>pg_dump</c> older than the server it must read.
/// </summary>
public sealed partial class PostgresTools
{
    private PostgresTools(string binDirectory, string pgDump, string pgRestore, int majorVersion, string version)
    {
        BinDirectory = binDirectory;
        PgDump = pgDump;
        PgRestore = pgRestore;
        MajorVersion = majorVersion;
        Version = version;
    }

    public string BinDirectory { get; }

    public string PgDump { get; }

    public string PgRestore { get; }

    public int MajorVersion { get; }

    public string Version { get; }

    public static async Task<PostgresTools> LocateAsync(string? binDirectory, CancellationToken cancellationToken)
    {
        var directory = binDirectory ?? System.Environment.GetEnvironmentVariable("HOTMESS_PG_BIN") ?? FindDefaultDirectory();
        var pgDump = directory is null ? FindOnPath("pg_dump") : Path.Combine(directory, "pg_dump");
        var pgRestore = directory is null ? FindOnPath("pg_restore") : Path.Combine(directory, "pg_restore");
        if (pgDump is null || !File.Exists(pgDump) || pgRestore is null || !File.Exists(pgRestore))
        {
            throw new HotmessException("PgDumpNotFound", FailureKind.NotInstalled,
                $"pg_dump and pg_restore were not found{(directory is null ? " on PATH" : $" in '{directory}'")}; install the PostgreSQL client (postgresql-client-15 or newer) or set HOTMESS_PG_BIN.",
                directory ?? "pg_dump");
        }

        var result = await ExternalProcess.RunAsync(pgDump, ["--version"], null, null, cancellationToken).ConfigureAwait(false);
        var match = VersionPattern().Match(result.StandardOutput);
        if (result.ExitCode != 0 || !match.Success)
        {
            throw new HotmessException("PgDumpNotUsable", FailureKind.NotInstalled,
                $"'{pgDump} --version' did not report a version.", pgDump);
        }

        return new PostgresTools(Path.GetDirectoryName(pgDump)!, pgDump, pgRestore,
            int.Parse(match.Groups["major"].Value, CultureInfo.InvariantCulture), match.Groups["version"].Value);
    }

    /// <summary>pg_dump cannot read a server newer than itself; say so before starting rather than halfway.</summary>
    public void EnsureCanDump(int serverMajor, string serverVersion)
    {
        if (serverMajor > MajorVersion)
        {
            throw new HotmessException("PgDumpTooOld", FailureKind.VersionMismatch,
                $"pg_dump {Version} is older than the server ({serverVersion}); install postgresql-client-{serverMajor} or newer and set HOTMESS_PG_BIN.",
                PgDump);
        }
    }

    private static string? FindDefaultDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.EnumerateDirectories(root)
            .Select(d => (Path: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), out var m) ? m : -1))
            .Where(d => d.Major > 0 && File.Exists(Path.Combine(d.Path, "pg_dump")))
            .OrderByDescending(d => d.Major)
            .Select(d => d.Path)
            .FirstOrDefault();
    }

    private static string? FindOnPath(string name) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(p => Path.Combine(p, name))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex(@"(?<version>(?<major>\d+)(\.\d+)*)")]
    private static partial Regex VersionPattern();
}
