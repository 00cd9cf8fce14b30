using Hotmess.Recovery.Common;
using Hotmess.Recovery.Reports;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// Where an incident record is kept: <c>&lt;folder&gt;/&lt;id&gt;.md</c> and <c>&lt;id&gt;.json</c>. Writing a record again
/// replaces its own files (the id is the record's), so a procedure can write it as it goes and once more at the end.
/// </summary>
public static class IncidentRecordFiles
{
    public static string PathOf(IncidentRecord record, string folder, ReportFormat format) =>
        Path.Combine(folder, $"{record.Id}.{IncidentRecordRenderer.Extension(format)}");

    /// <summary>Writes the record in each format into <paramref name="folder"/> (created when missing) and returns the paths.</summary>
    public static IReadOnlyList<string> Write(IncidentRecord record, string folder, IReadOnlyList<ReportFormat> formats)
    {
        var paths = new List<string>();
        try
        {
            Directory.CreateDirectory(folder);
            foreach (var format in formats.Distinct())
            {
                var path = PathOf(record, folder, format);
                File.WriteAllText(path, IncidentRecordRenderer.Render(record, format));
                paths.Add(path);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HotmessException("IncidentRecordWriteFailed", ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.InvalidOperation,
                $"The incident record {record.Id} could not be written to '{folder}': {ex.Message}", folder, ex);
        }

        return paths;
    }
}
