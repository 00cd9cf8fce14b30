using System.Reflection;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Reports;

/// <summary>Where a verification report is written, and who the report says performed it.</summary>
public static class ReportFiles
{
    private static readonly string ModuleVersion =
        typeof(ReportFiles).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    /// <summary>The report's "Performed by": the user and machine, and the module version that checked the evidence.</summary>
    public static string PerformedBy() =>
        $"{System.Environment.UserName}@{System.Environment.MachineName} (HotmessRecovery {ModuleVersion})";

    /// <summary>The dated file name of a report generated at <paramref name="generatedUtc"/>.</summary>
    public static string FileName(ReportFormat format, DateTimeOffset generatedUtc, string? name = null) =>
        $"{name ?? "backup-verification"}-{generatedUtc.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{format switch { ReportFormat.Json => "json", ReportFormat.Html => "html", _ => "md" }}";

    /// <summary>
    /// The file to write: <paramref name="path"/> itself, or a dated file inside it when it is a folder (one that
    /// exists, or a path ending in a separator). An existing file is refused unless <paramref name="overwrite"/>.
    /// </summary>
    public static string Resolve(string path, ReportFormat format, DateTimeOffset generatedUtc, bool overwrite, string? name = null)
    {
        if (Directory.Exists(path) || Path.EndsInDirectorySeparator(path))
        {
            path = Path.Combine(path, FileName(format, generatedUtc, name));
        }

        if (File.Exists(path) && !overwrite)
        {
            throw new HotmessException("ReportFileExists", FailureKind.AlreadyExists,
                $"The report file '{path}' already exists; use -Force to overwrite it.", path);
        }

        return path;
    }

    /// <summary>Writes the report, creating its folder.</summary>
    public static void Write(string path, string report)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, report);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HotmessException("ReportWriteFailed", ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.InvalidOperation,
                $"The report could not be written to '{path}': {ex.Message}", path, ex);
        }
    }
}
