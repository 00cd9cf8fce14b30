using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// A backup repository kept in an object store (a local folder, an Azure Blob container, an S3 bucket), always
/// encrypted: every object is authenticated-encrypted under the repository's master key and stored under a keyed
/// name (<see cref="ObjectRepositoryLayout"/>). A set is listed once its manifest exists, and its manifest is the
/// last thing a copy writes. Owns the store and the key.
/// </summary>
public sealed class ObjectRepository : IAsyncDisposable
{
    private const int ListingParallelism = 8;
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LeasePollInterval = TimeSpan.FromSeconds(1);

    private ObjectRepository(IObjectStore store, RepositoryKey key)
    {
        Store = store;
        Key = key;
    }

    public IObjectStore Store { get; }

    /// <summary>The store's display form (<c>az://backups/hotmess</c>), never a secret: what sets name as their repository.</summary>
    public string Location => Store.Location;

    internal RepositoryKey Key { get; }

    /// <summary>Opens an existing encrypted repository; a wrong passphrase fails here, naming the repository.</summary>
    public static async Task<ObjectRepository> OpenAsync(IObjectStore store, Secret passphrase, CancellationToken cancellationToken)
    {
        var key = await EncryptedRepositoryDescriptor.UnlockAsync(store, passphrase, cancellationToken).ConfigureAwait(false);
        return new ObjectRepository(store, key);
    }

    /// <summary>
    /// Opens the repository, or initialises an encrypted one when the store is empty: the first copy to a new remote
    /// creates it. A store that holds objects but no repository descriptor is refused (<c>RepositoryNotEmpty</c>), so
    /// foreign data is never mixed in.
    /// </summary>
    public static async Task<ObjectRepository> OpenOrInitializeAsync(IObjectStore store, Secret passphrase, IOperationLog log, CancellationToken cancellationToken)
    {
        // One read of the descriptor decides: a repository is unlocked from what was read, an absent one is created.
        EncryptedRepositoryDocument? descriptor = null;
        try
        {
            descriptor = await EncryptedRepositoryDescriptor.ReadAsync(store, cancellationToken).ConfigureAwait(false);
        }
        catch (HotmessException ex) when (ex.ErrorId is "RepositoryNotFound" or "RepositoryNotEncrypted")
        {
        }

        if (descriptor is not null)
        {
            return new ObjectRepository(store, RepositoryKey.Unlock(descriptor.Encryption!.Key, passphrase, store.Location));
        }

        try
        {
            var key = await EncryptedRepositoryDescriptor.CreateAsync(store, passphrase, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Initialised an encrypted backup repository at '{store.Location}'.");
            return new ObjectRepository(store, key);
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryExists")
        {
            // Another copy initialised it a moment ago: use it, with the same passphrase or not at all.
            return await OpenAsync(store, passphrase, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Where a set of this repository says it lives: its logical path, for display.</summary>
    public string PathOf(string setId) => $"{Location}/sets/{setId}";

    /// <summary>
    /// Complete sets, newest first, each read from its manifest alone (no payload is downloaded). A manifest that
    /// does not authenticate cannot say which set it is: it is named by its stored name in <paramref name="unreadable"/>
    /// and a warning, and the other sets are listed.
    /// </summary>
    public async Task<IReadOnlyList<BackupSet>> GetSetsAsync(BackupKind? kind, IOperationLog log, CancellationToken cancellationToken, ICollection<string>? unreadable = null)
    {
        var names = new List<string>();
        await foreach (var info in Store.ListAsync(ObjectRepositoryLayout.SetsFolder, cancellationToken).ConfigureAwait(false))
        {
            names.Add(info.Name);
        }

        var sets = new ConcurrentBag<BackupSet>();
        var failed = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = ListingParallelism, CancellationToken = cancellationToken },
            async (name, token) =>
            {
                try
                {
                    var manifest = await ReadManifestAsync(name, token).ConfigureAwait(false);
                    if (kind is null || manifest.Kind == kind)
                    {
                        sets.Add(NewSet(manifest));
                    }
                }
                catch (HotmessException ex) when (ex.Kind is FailureKind.InvalidData or FailureKind.VersionMismatch)
                {
                    failed.Add(name);
                    log.Warning($"The manifest object '{name}' in '{Location}' cannot be used, so the set it describes is not listed: {ex.Message}");
                }
            }).ConfigureAwait(false);

        foreach (var name in failed)
        {
            unreadable?.Add(name);
        }

        return sets.OrderByDescending(s => s.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// The set <paramref name="id"/>. One whose manifest does not authenticate is refused (<c>ManifestInvalid</c>,
    /// naming the set) unless <paramref name="includeDamaged"/>, which returns it as damaged.
    /// </summary>
    public async Task<BackupSet> GetSetAsync(string id, bool includeDamaged, CancellationToken cancellationToken)
    {
        if (!BackupSetId.TryParse(id, out var kind, out var startedUtc))
        {
            throw new HotmessException("BackupNotFound", FailureKind.NotFound, $"'{id}' is not a backup set id.", id);
        }

        var name = ObjectRepositoryLayout.ManifestName(Key, id);
        if (await Store.GetInfoAsync(name, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new HotmessException("BackupNotFound", FailureKind.NotFound, $"No complete backup set '{id}' in the repository '{Location}'.", id);
        }

        try
        {
            return NewSet(await ReadManifestAsync(name, cancellationToken).ConfigureAwait(false));
        }
        catch (HotmessException ex) when (ex.Kind is FailureKind.InvalidData or FailureKind.VersionMismatch)
        {
            var problem = $"The manifest of the set '{id}' in '{Location}' cannot be used: {ex.Message}";
            if (!includeDamaged)
            {
                throw new HotmessException("ManifestInvalid", FailureKind.InvalidData, problem, id, ex);
            }

            return BackupSet.Damaged(Location, PathOf(id), id, kind, startedUtc, problem);
        }
    }

    /// <summary>
    /// The complete set <paramref name="id"/> from one read of its manifest, or null when it has none here. A manifest
    /// that does not authenticate is refused (<c>ManifestInvalid</c>), as by <see cref="GetSetAsync"/>.
    /// </summary>
    internal async Task<BackupSet?> FindSetAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            return NewSet(await ReadManifestAsync(ObjectRepositoryLayout.ManifestName(Key, id), cancellationToken).ConfigureAwait(false));
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryObjectMissing")
        {
            return null;
        }
        catch (HotmessException ex) when (ex.Kind is FailureKind.InvalidData or FailureKind.VersionMismatch)
        {
            throw new HotmessException("ManifestInvalid", FailureKind.InvalidData, $"The manifest of the set '{id}' in '{Location}' cannot be used: {ex.Message}", id, ex);
        }
    }

    /// <summary>Records a verification of one of this repository's sets.</summary>
    public async Task SaveVerificationAsync(BackupVerification verification, CancellationToken cancellationToken)
    {
        var name = ObjectRepositoryLayout.VerificationName(Key, verification.SetId, verification.CompletedUtc);
        verification.Repository = Location;
        verification.RecordPath = $"{Location}/verifications/{verification.SetId}";
        await WriteJsonAsync(name, verification, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Keeps an incident record (its JSON, as the local incident store writes it), replacing the one kept before: the
    /// record of a recovery outlives the machine running it. Encrypted with its logical name as associated data.
    /// </summary>
    public async Task SaveIncidentAsync(IncidentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var bytes = Encoding.UTF8.GetBytes(IncidentRecordRenderer.RenderJson(record));
        await PutEncryptedAsync(ObjectRepositoryLayout.IncidentName(Key, record.Id), ObjectRepositoryLayout.IncidentLogicalName(record.Id),
            new MemoryStream(bytes, writable: false), ifAbsent: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The incident record kept under <paramref name="incidentId"/>, or null when there is none. One that does not
    /// authenticate, or that is another incident's, fails (<c>IncidentRecordInvalid</c>) naming the incident.
    /// </summary>
    public async Task<IncidentRecord?> FindIncidentAsync(string incidentId, TimeProvider? clock, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(incidentId);
        var source = $"{Location}/incidents/{incidentId}";
        string json;
        try
        {
            await using var plaintext = await OpenDecryptedAsync(
                ObjectRepositoryLayout.IncidentName(Key, incidentId), ObjectRepositoryLayout.IncidentLogicalName(incidentId), cancellationToken).ConfigureAwait(false);
            using var reader = new StreamReader(plaintext, Encoding.UTF8);
            json = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryObjectMissing")
        {
            return null;
        }
        catch (HotmessException ex) when (ex.Kind is FailureKind.InvalidData or FailureKind.VersionMismatch)
        {
            throw new HotmessException("IncidentRecordInvalid", FailureKind.InvalidData, $"The incident record '{source}' cannot be used: {ex.Message}", source, ex);
        }

        var record = IncidentRecordReader.Read(json, source, clock);
        return record.Id == incidentId
            ? record
            : throw new HotmessException("IncidentRecordInvalid", FailureKind.InvalidData, $"The incident record '{source}' holds the incident '{record.Id}'.", source);
    }

    /// <summary>Every recorded verification, by stored name. One that does not authenticate is skipped with a warning: it proves nothing.</summary>
    public async Task<IReadOnlyList<StoredVerification>> GetVerificationsAsync(IOperationLog log, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        await foreach (var info in Store.ListAsync(ObjectRepositoryLayout.VerificationsFolder, cancellationToken).ConfigureAwait(false))
        {
            names.Add(info.Name);
        }

        var found = new ConcurrentBag<StoredVerification>();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = ListingParallelism, CancellationToken = cancellationToken },
            async (name, token) =>
            {
                try
                {
                    var verification = await ReadJsonAsync<BackupVerification>(name, token).ConfigureAwait(false);
                    if (ObjectRepositoryLayout.VerificationName(Key, verification.SetId, verification.CompletedUtc) != name)
                    {
                        throw new HotmessException("VerificationInvalid", FailureKind.InvalidData, "it does not belong under its name.", name);
                    }

                    found.Add(new StoredVerification(name, verification));
                }
                catch (HotmessException ex) when (ex.Kind is FailureKind.InvalidData or FailureKind.VersionMismatch)
                {
                    log.Warning($"The verification record '{name}' in '{Location}' cannot be used and counts as no verification: {ex.Message}");
                }
            }).ConfigureAwait(false);
        return found.OrderByDescending(v => v.Verification.CompletedUtc).ToList();
    }

    /// <summary>
    /// Takes the repository's lease, the one every copy and removal holds, waiting up to <paramref name="timeout"/>
    /// for another holder; it is renewed in the background until disposed.
    /// </summary>
    public async Task<RepositoryLease> LockAsync(TimeSpan timeout, IOperationLog log, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var told = false;
        while (true)
        {
            try
            {
                var lease = await Store.AcquireLeaseAsync(ObjectRepositoryLayout.LeaseName, LeaseDuration, cancellationToken).ConfigureAwait(false);
                return new RepositoryLease(lease, LeaseDuration / 3);
            }
            catch (HotmessException ex) when (ex.ErrorId == "RepositoryLocked" && DateTimeOffset.UtcNow < deadline)
            {
                if (!told)
                {
                    log.Verbose($"Another copy or removal holds '{Location}'; waiting up to {timeout:c} for it.");
                    told = true;
                }

                await Task.Delay(LeasePollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal BackupSet NewSet(BackupManifest manifest) => BackupKinds.Of(manifest.Kind).NewSet(Location, PathOf(manifest.Id), manifest);

    /// <summary>Reads and checks one manifest: it must authenticate under its stored name and be the set that name is derived from.</summary>
    internal async Task<BackupManifest> ReadManifestAsync(string name, CancellationToken cancellationToken)
    {
        var manifest = await ReadJsonAsync<BackupManifest>(name, cancellationToken).ConfigureAwait(false);
        var problem = manifest switch
        {
            _ when manifest.FormatVersion > BackupManifest.CurrentFormatVersion =>
                $"it has format {manifest.FormatVersion}; this module reads up to {BackupManifest.CurrentFormatVersion}.",
            _ when !BackupSetId.TryParse(manifest.Id, out var kind, out _) || kind != manifest.Kind => $"it names the set '{manifest.Id}' of kind {manifest.Kind}, which do not agree.",
            _ when ObjectRepositoryLayout.ManifestName(Key, manifest.Id) != name => $"it describes the set '{manifest.Id}', which is not stored under this name.",
            { Contents: { } contents } when contents.GetType() != BackupKinds.Of(manifest.Kind).ContentsType => $"it holds the contents of another kind of set than {manifest.Kind}.",
            _ => null,
        };
        return problem is null ? manifest : throw new HotmessException("ManifestInvalid", FailureKind.InvalidData, problem, name);
    }

    /// <summary>Opens a stored object as plaintext; it fails on the first chunk that does not authenticate under <paramref name="logicalName"/>.</summary>
    internal async Task<Stream> OpenDecryptedAsync(string name, string logicalName, CancellationToken cancellationToken)
    {
        var ciphertext = await Store.OpenReadAsync(name, cancellationToken).ConfigureAwait(false);
        try
        {
            return Key.OpenDecrypting(ciphertext, logicalName);
        }
        catch
        {
            await ciphertext.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Encrypts and stores; <paramref name="ifAbsent"/> leaves an existing object as it is (and returns false).</summary>
    internal async Task<bool> PutEncryptedAsync(string name, string logicalName, Stream plaintext, bool ifAbsent, CancellationToken cancellationToken)
    {
        await using var encrypted = Key.OpenEncrypting(plaintext, logicalName);
        if (ifAbsent)
        {
            return await Store.PutIfAbsentAsync(name, encrypted, cancellationToken).ConfigureAwait(false);
        }

        await Store.PutAsync(name, encrypted, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Writes a small document bound to its stored name. The store confirms it received the bytes sent (see
    /// <see cref="IObjectStore"/>), so a manifest is never left in place other than it was written.
    /// </summary>
    internal async Task WriteJsonAsync<T>(string name, T value, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(value, Json.Options);
        await PutEncryptedAsync(name, name, new MemoryStream(bytes, writable: false), ifAbsent: false, cancellationToken).ConfigureAwait(false);
    }

    internal async Task<T> ReadJsonAsync<T>(string name, CancellationToken cancellationToken)
    {
        await using var plaintext = await OpenDecryptedAsync(name, name, cancellationToken).ConfigureAwait(false);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(plaintext, Json.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("The document is empty.");
        }
        catch (JsonException ex)
        {
            throw new HotmessException("RepositoryObjectInvalid", FailureKind.InvalidData, $"'{name}' authenticates but is not a document this module reads: {ex.Message}", name, ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Key.Dispose();
        await Store.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>A verification record and the name it is stored under.</summary>
public sealed record StoredVerification(string Name, BackupVerification Verification);
