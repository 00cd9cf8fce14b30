using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// A backup repository folder:
/// <c>hotmess-repository.json</c>, <c>sets/&lt;id&gt;/</c> (manifest last), <c>objects/</c> (content store),
/// <c>verifications/&lt;id&gt;/</c>, <c>locks/</c>.
/// </summary>
public sealed class BackupRepository
{
    public const string DescriptorFileName = "hotmess-repository.json";
    public const string ManifestFileName = "manifest.json";

    private BackupRepository(string root, RepositoryDescriptor descriptor)
    {
        Root = root;
        Descriptor = descriptor;
    }

    public string Root { get; }

    public RepositoryDescriptor Descriptor { get; }

    public string SetsPath => System.IO.Path.Combine(Root, "sets");

    public string ObjectsPath => System.IO.Path.Combine(Root, "objects");

    public string VerificationsPath => System.IO.Path.Combine(Root, "verifications");

    public static string DefaultPath =>
        System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".hotmess", "backups");

    /// <summary>Opens a repository for reading; it must exist.</summary>
    public static BackupRepository Open(string root)
    {
        root = System.IO.Path.GetFullPath(root);
        var descriptorPath = System.IO.Path.Combine(root, DescriptorFileName);
        if (!File.Exists(descriptorPath))
        {
            throw new HotmessException("RepositoryNotFound", FailureKind.NotFound,
                $"No backup repository at '{root}': '{DescriptorFileName}' is missing.", root);
        }

        RepositoryDescriptor descriptor;
        try
        {
            descriptor = Json.Deserialize<RepositoryDescriptor>(File.ReadAllText(descriptorPath));
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException)
        {
            throw new HotmessException("RepositoryDescriptorInvalid", FailureKind.InvalidData,
                $"The repository descriptor '{descriptorPath}' cannot be read: {ex.Message}", root, ex);
        }

        if (descriptor.FormatVersion > RepositoryDescriptor.CurrentFormatVersion)
        {
            throw new HotmessException("RepositoryFormatUnsupported", FailureKind.VersionMismatch,
                $"The repository at '{root}' has format {descriptor.FormatVersion}; this module reads up to {RepositoryDescriptor.CurrentFormatVersion}.", root);
        }

        return new BackupRepository(root, descriptor);
    }

    /// <summary>Opens a repository for writing, creating it when missing, and proves the folder is writable.</summary>
    public static BackupRepository OpenOrCreate(string root)
    {
        root = System.IO.Path.GetFullPath(root);
        try
        {
            Directory.CreateDirectory(root);
            Directory.CreateDirectory(System.IO.Path.Combine(root, "sets"));
            var probe = System.IO.Path.Combine(root, ".write-probe-" + Guid.NewGuid().ToString("N")[..8]);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new HotmessException("RepositoryNotWritable", FailureKind.PermissionDenied,
                $"The backup repository '{root}' is not writable: {ex.Message}", root, ex);
        }

        var descriptorPath = System.IO.Path.Combine(root, DescriptorFileName);
        if (!File.Exists(descriptorPath))
        {
            Json.WriteAtomically(descriptorPath, new RepositoryDescriptor { CreatedUtc = DateTimeOffset.UtcNow });
        }

        return Open(root);
    }

    /// <summary>Starts a new set: a folder with no manifest yet, invisible to readers until completed.</summary>
    public PendingBackupSet BeginSet(BackupKind kind, DateTimeOffset startedUtc)
    {
        var id = BackupSetId.New(kind, startedUtc);
        var path = System.IO.Path.Combine(SetsPath, id);
        Directory.CreateDirectory(path);
        return new PendingBackupSet(this, id, kind, path, startedUtc);
    }

    /// <summary>Complete sets, newest first.</summary>
    public IEnumerable<BackupSet> GetSets(BackupKind? kind = null)
    {
        if (!Directory.Exists(SetsPath))
        {
            yield break;
        }

        foreach (var folder in Directory.EnumerateDirectories(SetsPath).OrderByDescending(System.IO.Path.GetFileName, StringComparer.Ordinal))
        {
            var id = System.IO.Path.GetFileName(folder);
            if (!BackupSetId.IsValid(id) || !File.Exists(System.IO.Path.Combine(folder, ManifestFileName)))
            {
                continue;
            }

            var set = ReadSet(folder);
            if (kind is null || set.Kind == kind)
            {
                yield return set;
            }
        }
    }

    public BackupSet GetSet(string id)
    {
        var folder = BackupSetId.IsValid(id) ? System.IO.Path.Combine(SetsPath, id) : null;
        if (folder is null || !File.Exists(System.IO.Path.Combine(folder, ManifestFileName)))
        {
            throw new HotmessException("BackupNotFound", FailureKind.NotFound,
                $"No complete backup set '{id}' in the repository '{Root}'.", id);
        }

        return ReadSet(folder);
    }

    /// <summary>Folders under <c>sets/</c> that never got a manifest: interrupted or failed backups.</summary>
    public IEnumerable<string> GetIncompleteSetPaths() =>
        Directory.Exists(SetsPath)
            ? Directory.EnumerateDirectories(SetsPath).Where(d => !File.Exists(System.IO.Path.Combine(d, ManifestFileName)))
            : [];

    /// <summary>Records a verification under <c>verifications/&lt;setId&gt;/</c>; the set's manifest stays untouched.</summary>
    public string SaveVerification(BackupVerification verification)
    {
        if (!BackupSetId.IsValid(verification.SetId))
        {
            throw new HotmessException("BackupNotFound", FailureKind.InvalidArgument, $"'{verification.SetId}' is not a backup set id.", verification.SetId);
        }

        var folder = System.IO.Path.Combine(VerificationsPath, verification.SetId);
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"{verification.CompletedUtc.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.json");
        verification.RecordPath = path;
        Json.WriteAtomically(path, verification);
        return path;
    }

    /// <summary>The recorded verifications of a set, newest first.</summary>
    public IEnumerable<BackupVerification> GetVerifications(string setId)
    {
        var folder = System.IO.Path.Combine(VerificationsPath, setId);
        if (!BackupSetId.IsValid(setId) || !Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateFiles(folder, "*.json")
            .OrderByDescending(System.IO.Path.GetFileName, StringComparer.Ordinal)
            .Select(f => Json.Deserialize<BackupVerification>(File.ReadAllText(f)));
    }

    /// <summary>Takes the repository's lock for one kind of backup, so two runs never write the same kind at once.</summary>
    public RepositoryLock Lock(BackupKind kind) => RepositoryLock.Acquire(System.IO.Path.Combine(Root, "locks"), kind.ToString().ToLowerInvariant());

    private BackupSet ReadSet(string folder)
    {
        var manifestPath = System.IO.Path.Combine(folder, ManifestFileName);
        try
        {
            var manifest = Json.Deserialize<BackupManifest>(File.ReadAllText(manifestPath));
            return manifest.Kind == BackupKind.Storage ? new StorageBackupSet(Root, folder, manifest) : new BackupSet(Root, folder, manifest);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException)
        {
            throw new HotmessException("ManifestInvalid", FailureKind.InvalidData,
                $"The manifest '{manifestPath}' cannot be read: {ex.Message}", System.IO.Path.GetFileName(folder), ex);
        }
    }
}

public sealed class RepositoryDescriptor
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; set; } = CurrentFormatVersion;

    public DateTimeOffset CreatedUtc { get; set; }

    /// <summary>Parameters of the encryption used for environment sets (salt, KDF); never a key.</summary>
    public Dictionary<string, string>? Encryption { get; set; }
}
