using System.Collections;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// Tells the two kinds of repository apart by their location: <c>az://</c> and <c>s3://</c> repositories, and a
/// local folder whose descriptor is an encrypted one, are object repositories (<see cref="ObjectRepository"/>); any
/// other folder is a plain local repository (<see cref="BackupRepository"/>).
/// </summary>
public static class ObjectRepositoryAddress
{
    public static bool IsRemote(string location) => RepositoryLocation.IsRemoteText(location);

    /// <summary>True for a remote location, and for a folder holding an encrypted repository's descriptor.</summary>
    public static bool IsObjectRepository(string location) => IsRemote(location) || IsEncryptedFolder(location);

    /// <summary>True when the folder's descriptor is an encrypted repository's (a plain one has no <c>format</c>).</summary>
    public static bool IsEncryptedFolder(string path)
    {
        var descriptor = Path.Combine(path, EncryptedRepositoryDescriptor.ObjectName);
        if (!File.Exists(descriptor))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(descriptor));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("format", out var format)
                && format.ValueKind == JsonValueKind.String
                && format.GetString() == Encryption.RepositoryDescriptor.FormatName;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The store behind a location: a local folder, or what <see cref="ObjectStores"/> opens for a remote one.</summary>
    public static IObjectStore OpenStore(string location, IDictionary environment) =>
        IsRemote(location) ? ObjectStores.Open(location, environment) : new LocalDirectoryStore(location);

    /// <summary>Opens the repository at <paramref name="location"/> with the passphrase from the key file or <c>HOTMESS_REPOSITORY_KEY</c>.</summary>
    public static async Task<ObjectRepository> OpenAsync(string location, string? keyFile, IDictionary environment, bool initialize, IOperationLog log,
        CancellationToken cancellationToken)
    {
        var passphrase = RepositoryKeySource.Resolve(keyFile, environment, location);
        var store = OpenStore(location, environment);
        try
        {
            return initialize
                ? await ObjectRepository.OpenOrInitializeAsync(store, passphrase, log, cancellationToken).ConfigureAwait(false)
                : await ObjectRepository.OpenAsync(store, passphrase, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
