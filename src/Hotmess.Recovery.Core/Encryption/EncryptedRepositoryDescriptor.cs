using System.Text;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// Creates, reads, unlocks and rewraps the descriptor object <see cref="ObjectName"/> at the root of a store. The
/// passphrase only ever wraps the master key, so changing it rewrites this one object and no data.
/// </summary>
public sealed class EncryptedRepositoryDescriptor
{
    public const string ObjectName = "hotmess-repository.json";

    private EncryptedRepositoryDescriptor()
    {
    }

    /// <summary>
    /// Makes <paramref name="store"/> a new encrypted repository: a random master key, wrapped by the passphrase with
    /// <paramref name="parameters"/> (the defaults when null). <c>RepositoryExists</c> when it has a descriptor already,
    /// <c>RepositoryNotEmpty</c> when it holds other objects (it is something else, or another format).
    /// </summary>
    public static async Task<RepositoryKey> CreateAsync(IObjectStore store, Secret passphrase, CancellationToken ct) =>
        await CreateAsync(store, passphrase, TimeProvider.System, null, ct).ConfigureAwait(false);

    public static async Task<RepositoryKey> CreateAsync(IObjectStore store, Secret passphrase, TimeProvider clock, KdfParameters? parameters, CancellationToken ct)
    {
        if (await ExistsAsync(store, ct).ConfigureAwait(false))
        {
            throw Exists(store);
        }

        await foreach (var found in store.ListAsync(string.Empty, ct).ConfigureAwait(false))
        {
            throw new HotmessException("RepositoryNotEmpty", FailureKind.InvalidOperation,
                $"The repository '{store.Location}' holds objects already ('{found.Name}'), but no encrypted repository descriptor; initialise an empty location.",
                store.Location);
        }

        var key = RepositoryKey.CreateNew();
        try
        {
            var descriptor = new RepositoryDescriptor
            {
                CreatedUtc = clock.GetUtcNow(),
                Encryption = new RepositoryEncryption { Key = key.Wrap(passphrase, parameters) },
            };
            using var content = Serialize(descriptor);
            if (!await store.PutIfAbsentAsync(ObjectName, content, ct).ConfigureAwait(false))
            {
                throw Exists(store);
            }

            return key;
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The master key of the repository in <paramref name="store"/>. <c>RepositoryNotFound</c> when it has no
    /// descriptor; <c>RepositoryKeyWrong</c> naming the repository when the passphrase does not open it.
    /// </summary>
    public static async Task<RepositoryKey> UnlockAsync(IObjectStore store, Secret passphrase, CancellationToken ct)
    {
        var descriptor = await ReadAsync(store, ct).ConfigureAwait(false);
        return RepositoryKey.Unlock(descriptor.Encryption.Key, passphrase, store.Location);
    }

    /// <summary>
    /// Rewraps the master key under <paramref name="next"/> with the current default parameters and replaces the
    /// descriptor in one atomic write; no data object is touched, and everything stays readable with the new
    /// passphrase only. <c>RepositoryKeyWrong</c> when <paramref name="current"/> does not open it.
    /// </summary>
    public static Task ChangeKeyAsync(IObjectStore store, Secret current, Secret next, CancellationToken ct) =>
        ChangeKeyAsync(store, current, next, TimeProvider.System, null, ct);

    public static async Task ChangeKeyAsync(IObjectStore store, Secret current, Secret next, TimeProvider clock, KdfParameters? parameters, CancellationToken ct)
    {
        var descriptor = await ReadAsync(store, ct).ConfigureAwait(false);
        using var key = RepositoryKey.Unlock(descriptor.Encryption.Key, current, store.Location);
        var changed = descriptor with
        {
            KeyChangedUtc = clock.GetUtcNow(),
            Encryption = descriptor.Encryption with { Key = key.Wrap(next, parameters) },
        };
        using var content = Serialize(changed);
        await store.PutAsync(ObjectName, content, ct).ConfigureAwait(false);

        // Read back: the store says what it now holds, and the old passphrase must not be the one that opens it.
        var stored = await ReadAsync(store, ct).ConfigureAwait(false);
        if (stored.Encryption.Key != changed.Encryption.Key)
        {
            throw new HotmessException("RepositoryKeyChangeLost", FailureKind.InvalidOperation,
                $"The new key of the repository '{store.Location}' was written, but the descriptor read back differs (another change ran at the same time); check which passphrase opens it now.",
                store.Location);
        }
    }

    public static async Task<bool> ExistsAsync(IObjectStore store, CancellationToken ct) =>
        await store.GetInfoAsync(ObjectName, ct).ConfigureAwait(false) is not null;

    /// <summary>The descriptor as stored. <c>RepositoryNotFound</c>, <c>RepositoryDescriptorInvalid</c> or <c>RepositoryFormatUnsupported</c>.</summary>
    public static async Task<RepositoryDescriptor> ReadAsync(IObjectStore store, CancellationToken ct)
    {
        string json;
        try
        {
            await using var stream = await store.OpenReadAsync(ObjectName, ct).ConfigureAwait(false);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            json = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryObjectMissing")
        {
            throw new HotmessException("RepositoryNotFound", FailureKind.NotFound,
                $"There is no encrypted repository at '{store.Location}' (no {ObjectName}); create one with Initialize-HotmessRepository -Encrypted, or check the location.",
                store.Location, ex);
        }

        RepositoryDescriptor? descriptor;
        try
        {
            descriptor = JsonSerializer.Deserialize<RepositoryDescriptor>(json, Json.Options);
        }
        catch (JsonException ex)
        {
            throw Invalid(store, $"it is not a descriptor document ({ex.Message})", ex);
        }

        if (descriptor?.Format != RepositoryDescriptor.FormatName)
        {
            throw Invalid(store, $"its format is '{descriptor?.Format}', not '{RepositoryDescriptor.FormatName}'");
        }

        if (descriptor.Version != RepositoryDescriptor.CurrentVersion)
        {
            throw new HotmessException("RepositoryFormatUnsupported", FailureKind.VersionMismatch,
                $"The repository '{store.Location}' has format version {descriptor.Version}; this module reads version {RepositoryDescriptor.CurrentVersion}. Use the module version that wrote it.",
                store.Location);
        }

        if (descriptor.Encryption?.Key?.Kdf is null)
        {
            throw Invalid(store, "it has no wrapped key");
        }

        return descriptor;
    }

    private static MemoryStream Serialize(RepositoryDescriptor descriptor) =>
        new(JsonSerializer.SerializeToUtf8Bytes(descriptor, Json.Options), writable: false);

    private static HotmessException Exists(IObjectStore store) =>
        new("RepositoryExists", FailureKind.AlreadyExists,
            $"The repository '{store.Location}' is initialised already; its key is changed with Set-HotmessRepositoryKey.", store.Location);

    private static HotmessException Invalid(IObjectStore store, string what, Exception? inner = null) =>
        new("RepositoryDescriptorInvalid", FailureKind.InvalidData,
            $"The descriptor of the repository '{store.Location}' is damaged: {what}.", store.Location, inner);
}
