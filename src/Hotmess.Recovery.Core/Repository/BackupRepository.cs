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

    private ContentStore? _content;

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

    public string LocksPath => System.IO.Path.Combine(Root, "locks");

    /// <summary>The content store of this repository; sets completed through this repository sync what it added first.</summary>
    public ContentStore Content => LazyInitializer.EnsureInitialized(ref _content, () => new ContentStore(ObjectsPath));

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
            var text = File.ReadAllText(descriptorPath);
            if (Encryption.EncryptedRepositoryDescriptor.IsEncryptedDescriptor(text))
            {
                throw new HotmessException("RepositoryEncrypted", FailureKind.InvalidOperation,
                    $"The repository at '{root}' is encrypted: it is read with its key (-KeyFile or HOTMESS_REPOSITORY_KEY); Backup-HotmessDatabase writes into it, other backups are taken into a plain local repository, then copied into it with Copy-HotmessBackup.", root);
            }

            descriptor = Json.Deserialize<RepositoryDescriptor>(text);
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

    /// <summary>
    /// Opens a repository for writing, creating it when missing, and proves the folder is writable. On Unix a new
    /// repository is private to its owner: every folder 0700, every file 0600.
    /// </summary>
    public static BackupRepository OpenOrCreate(string root)
    {
        root = System.IO.Path.GetFullPath(root);
        try
        {
            PrivateFiles.CreateFolder(root);
            PrivateFiles.CreateFolder(System.IO.Path.Combine(root, "sets"));
            var probe = System.IO.Path.Combine(root, ".write-probe-" + Guid.NewGuid().ToString("N")[..8]);
            new FileStream(probe, PrivateFiles.Options(FileMode.CreateNew, FileAccess.Write)).Dispose();
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
        PrivateFiles.CreateFolder(path);
        return new PendingBackupSet(this, id, kind, path, startedUtc);
    }

    /// <summary>
    /// Sets, newest first: complete ones, and with <paramref name="includeDamaged"/> those whose manifest cannot be
    /// read (<see cref="BackupSetState.Damaged"/>). One damaged set never hides the others.
    /// </summary>
    public IEnumerable<BackupSet> GetSets(BackupKind? kind = null, bool includeDamaged = false)
    {
        if (!Directory.Exists(SetsPath))
        {
            yield break;
        }

        foreach (var folder in Directory.EnumerateDirectories(SetsPath).OrderByDescending(System.IO.Path.GetFileName, StringComparer.Ordinal))
        {
            var id = System.IO.Path.GetFileName(folder);
            if (!BackupSetId.TryParse(id, out var folderKind, out _) || (kind is not null && folderKind != kind)
                || !File.Exists(System.IO.Path.Combine(folder, ManifestFileName)))
            {
                continue;
            }

            var set = ReadSet(folder);
            if (set.State == BackupSetState.Complete || includeDamaged)
            {
                yield return set;
            }
        }
    }

    /// <summary>
    /// The set <paramref name="id"/>. A damaged one is refused (<c>ManifestInvalid</c>) unless
    /// <paramref name="includeDamaged"/>, for callers that report on it rather than use it.
    /// </summary>
    public BackupSet GetSet(string id, bool includeDamaged = false)
    {
        var folder = BackupSetId.IsValid(id) ? System.IO.Path.Combine(SetsPath, id) : null;
        if (folder is null || !File.Exists(System.IO.Path.Combine(folder, ManifestFileName)))
        {
            throw new HotmessException("BackupNotFound", FailureKind.NotFound,
                $"No complete backup set '{id}' in the repository '{Root}'.", id);
        }

        var set = ReadSet(folder);
        if (!includeDamaged)
        {
            set.EnsureUsable();
        }

        return set;
    }

    /// <summary>Folders under <c>sets/</c> that never got a manifest: interrupted or failed backups, or backups being written.</summary>
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
        PrivateFiles.CreateFolder(folder);
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

    /// <summary>
    /// Takes the repository's lock for one kind of backup, so two runs never write the same kind at once. Holding
    /// it, no other run of the kind is writing, so what killed runs of the kind left (set folders without a
    /// manifest, and whatever the kind registers) is removed here, each with a verbose line.
    /// </summary>
    public RepositoryLock Lock(BackupKind kind, IOperationLog? log = null)
    {
        var registration = BackupKinds.Of(kind);
        var held = RepositoryLock.Acquire(LocksPath, registration.Name);
        try
        {
            log ??= NullOperationLog.Instance;
            RemoveIncompleteSets(kind, log);
            registration.RemoveLeftovers?.Invoke(this, log);
        }
        catch
        {
            held.Dispose();
            throw;
        }

        return held;
    }

    private void RemoveIncompleteSets(BackupKind kind, IOperationLog log)
    {
        foreach (var folder in GetIncompleteSetPaths())
        {
            var id = System.IO.Path.GetFileName(folder);
            if (!BackupSetId.TryParse(id, out var folderKind, out _) || folderKind != kind)
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
                log.Verbose($"Removed the incomplete {kind} set '{id}': a run that did not finish left it without a manifest.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Never listed without a manifest; the next run of the kind tries again.
                log.Verbose($"The incomplete {kind} set '{id}' could not be removed yet: {ex.Message}");
            }
        }
    }

    private BackupSet ReadSet(string folder)
    {
        var id = System.IO.Path.GetFileName(folder);
        BackupSetId.TryParse(id, out var kind, out var startedUtc);
        var manifestPath = System.IO.Path.Combine(folder, ManifestFileName);
        BackupManifest manifest;
        try
        {
            manifest = Json.Deserialize<BackupManifest>(File.ReadAllText(manifestPath));
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return BackupSet.Damaged(Root, folder, id, kind, startedUtc, $"The manifest '{manifestPath}' cannot be read: {ex.Message}");
        }

        var problem = manifest switch
        {
            _ when manifest.FormatVersion > BackupManifest.CurrentFormatVersion =>
                $"The manifest '{manifestPath}' has format {manifest.FormatVersion}; this module reads up to {BackupManifest.CurrentFormatVersion}.",
            _ when manifest.Id != id => $"The manifest '{manifestPath}' names the set '{manifest.Id}', not '{id}'.",
            _ when manifest.Kind != kind => $"The manifest '{manifestPath}' describes a {manifest.Kind} set, but '{id}' is a {kind} set.",
            { Contents: { } contents } when contents.GetType() != BackupKinds.Of(kind).ContentsType =>
                $"The manifest '{manifestPath}' holds the contents of another kind of set than {kind}.",
            _ => null,
        };
        return problem is null
            ? BackupKinds.Of(kind).NewSet(Root, folder, manifest)
            : BackupSet.Damaged(Root, folder, id, kind, startedUtc, problem);
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
