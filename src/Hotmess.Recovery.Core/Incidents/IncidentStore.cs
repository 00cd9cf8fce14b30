using Hotmess.Recovery.Common;
using Hotmess.Recovery.Reports;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// Incidents kept in the repository: <c>incidents/&lt;id&gt;.json</c> (and its Markdown beside it), written atomically
/// each time the incident changes, so a note added in one session is there for the next.
/// </summary>
public sealed class IncidentStore
{
    private readonly TimeProvider _clock;

    public IncidentStore(string repositoryRoot, TimeProvider? clock = null)
    {
        Folder = Path.Combine(BackupRepository.OpenOrCreate(repositoryRoot).Root, "incidents");
        _clock = clock ?? TimeProvider.System;
    }

    public string Folder { get; }

    public void Save(IncidentRecord record)
    {
        PrivateFiles.CreateFolder(Folder);
        foreach (var format in new[] { ReportFormat.Json, ReportFormat.Markdown })
        {
            var path = IncidentRecordFiles.PathOf(record, Folder, format);
            var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
            using (var stream = new FileStream(temporary, PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write)))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(IncidentRecordRenderer.Render(record, format));
                writer.Flush();
                FileDurability.FlushToDisk(stream);
            }

            FileDurability.Move(temporary, path, overwrite: true);
        }

        FileDurability.SyncFolder(Folder);
    }

    /// <summary>The incident with this id; <c>IncidentNotFound</c> when the repository has none.</summary>
    public IncidentRecord Get(string id)
    {
        var path = Path.Combine(Folder, id + ".json");
        if (id.IndexOfAny(['/', '\\']) >= 0 || !File.Exists(path))
        {
            throw new HotmessException("IncidentNotFound", FailureKind.NotFound, $"The repository has no incident '{id}' (looked in '{Folder}').", id);
        }

        return IncidentRecordReader.Read(File.ReadAllText(path), path, _clock);
    }

    /// <summary>Every incident kept, oldest first (ids sort by time).</summary>
    public IEnumerable<IncidentRecord> GetAll() =>
        Directory.Exists(Folder)
            ? Directory.EnumerateFiles(Folder, "*.json").Order(StringComparer.Ordinal).Select(p => IncidentRecordReader.Read(File.ReadAllText(p), p, _clock))
            : [];
}
