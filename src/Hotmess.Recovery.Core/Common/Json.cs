using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Common;

/// <summary>The one JSON dialect of the repository: camelCase, enums as strings, indented for people.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },

        // A manifest's contents go under the name of their kind ("database": {...}), as the kinds register them.
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { BackupKinds.DescribeManifestContents } },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The document is empty.");

    /// <summary>
    /// Writes beside the target (0600 on Unix), flushes to disk, renames, then syncs the folder: a reader sees the
    /// old file or the whole new one, and once this returns the new one survives a power cut.
    /// </summary>
    public static void WriteAtomically<T>(string path, T value)
    {
        var temporary = path + ".tmp-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            using (var stream = new FileStream(temporary, PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write)))
            {
                JsonSerializer.Serialize(stream, value, Options);
                FileDurability.FlushToDisk(stream);
            }

            FileDurability.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        FileDurability.SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }
}
