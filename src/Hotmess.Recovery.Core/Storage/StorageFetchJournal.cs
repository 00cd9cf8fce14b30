using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Storage;

/// <summary>
/// One line per object a storage backup has stored (<c>objects/journal/&lt;setId&gt;.jsonl</c>), written right
/// after the blob is in place. A run that fails or is interrupted leaves no manifest, but its journal tells the
/// next run which content it already holds for which object version, so nothing is downloaded twice. A
/// complete set deletes the journals it read: its manifest now says the same.
/// </summary>
internal sealed class StorageFetchJournal : IDisposable
{
    private static readonly JsonSerializerOptions Line = new(Json.Options) { WriteIndented = false };

    private readonly object _gate = new();
    private readonly StreamWriter _writer;

    public StorageFetchJournal(string folder, string setId)
    {
        PrivateFiles.CreateFolder(folder);
        Path = PathFor(folder, setId);
        _writer = new StreamWriter(new FileStream(Path, PrivateFiles.Options(FileMode.Append, FileAccess.Write, FileShare.Read))) { AutoFlush = true };
    }

    public string Path { get; }

    public static string PathFor(string folder, string setId) => System.IO.Path.Combine(folder, setId + ".jsonl");

    public static string FolderOf(BackupRepository repository) => System.IO.Path.Combine(repository.ObjectsPath, "journal");

    /// <summary>The journals left by earlier runs, and every entry they hold; a torn last line is skipped.</summary>
    public static (List<string> Files, List<StorageObjectEntry> Entries) ReadAll(string folder)
    {
        var files = Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.jsonl").Order(StringComparer.Ordinal).ToList() : [];
        var entries = new List<StorageObjectEntry>();
        foreach (var file in files)
        {
            foreach (var text in File.ReadLines(file))
            {
                try
                {
                    if (JsonSerializer.Deserialize<StorageObjectEntry>(text, Line) is { } entry)
                    {
                        entries.Add(entry);
                    }
                }
                catch (JsonException)
                {
                    // Written by a run that was killed mid-line.
                }
            }
        }

        return (files, entries);
    }

    public void Record(StorageObjectEntry entry)
    {
        var text = JsonSerializer.Serialize(entry, Line);
        lock (_gate)
        {
            _writer.WriteLine(text);
        }
    }

    public void Dispose() => _writer.Dispose();
}
