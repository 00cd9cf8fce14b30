using System.Text.Json.Serialization.Metadata;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// Every kind of backup set the repository holds. A new kind is a value of <see cref="BackupKind"/> and one
/// registration here: set ids, locks, the manifest's contents, listing and the removal of what killed runs left
/// all follow from it.
/// </summary>
public static class BackupKinds
{
    public static IReadOnlyList<BackupKindRegistration> All { get; } =
    [
        new(BackupKind.Database, "database", typeof(DatabaseContents)),
        new(BackupKind.Storage, "storage", typeof(StorageContents),
            CreateSet: (repository, path, manifest) => new StorageBackupSet(repository, path, manifest),
            RemoveLeftovers: RemovePartialContent),
        new(BackupKind.Environment, "environment", typeof(EnvironmentContents)),
        new(BackupKind.Drill, "drill", typeof(Drills.DrillRecord)),
        new(BackupKind.Log, "log", typeof(LogContents)),
    ];

    public static BackupKindRegistration Of(BackupKind kind) =>
        All.FirstOrDefault(k => k.Kind == kind)
        ?? throw new HotmessException("BackupKindUnknown", FailureKind.InvalidArgument, $"'{kind}' is not a registered kind of backup set.", kind.ToString());

    /// <summary>The kind named <paramref name="name"/> in a set id, or null.</summary>
    public static BackupKindRegistration? Named(string name) => All.FirstOrDefault(k => string.Equals(k.Name, name, StringComparison.Ordinal));

    /// <summary>Gives the manifest one JSON property per kind, named after it, that holds the contents of a set of that kind.</summary>
    internal static void DescribeManifestContents(JsonTypeInfo info)
    {
        if (info.Type != typeof(BackupManifest))
        {
            return;
        }

        foreach (var kind in All)
        {
            // The typed shorthands (Database, Storage, …) are not serialized themselves; their contents are, here.
            foreach (var shorthand in info.Properties.Where(p => string.Equals(p.Name, kind.Name, StringComparison.OrdinalIgnoreCase)).ToList())
            {
                info.Properties.Remove(shorthand);
            }

            var property = info.CreateJsonPropertyInfo(kind.ContentsType, kind.Name);
            property.Get = manifest => ((BackupManifest)manifest).Contents is { } contents && contents.GetType() == kind.ContentsType ? contents : null;
            property.Set = (manifest, value) =>
            {
                if (value is not null)
                {
                    ((BackupManifest)manifest).Contents = value;
                }
            };
            info.Properties.Add(property);
        }
    }

    /// <summary>Downloads in flight live in the content store's temporary folder; under the storage lock none is.</summary>
    private static void RemovePartialContent(BackupRepository repository, IOperationLog log)
    {
        var removed = repository.Content.RemoveTemporaryFiles();
        if (removed > 0)
        {
            log.Verbose($"Removed {removed} partial download(s) that interrupted storage backups left in the content store.");
        }
    }
}
