namespace Hotmess.Recovery.Encryption;

/// <summary>
/// The document <c>hotmess-repository.json</c> at the root of an encrypted repository: what it is, since when, and
/// its master key wrapped by the passphrase. The only object stored in clear; it holds nothing secret.
/// </summary>
public sealed record RepositoryDescriptor
{
    public const string FormatName = "hotmess-repository";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;

    public int Version { get; init; } = CurrentVersion;

    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>When the passphrase was last changed; null while it is the first one.</summary>
    public DateTimeOffset? KeyChangedUtc { get; init; }

    public required RepositoryEncryption Encryption { get; init; }
}

/// <summary>The primitives of an encrypted repository (informative: the format version fixes them) and its key.</summary>
public sealed record RepositoryEncryption
{
    public string Objects { get; init; } = "AES-256-GCM STREAM, 64 KiB chunks, key per object by HKDF-SHA256";

    public string Names { get; init; } = "HMAC-SHA256";

    public required RepositoryKeyEnvelope Key { get; init; }
}
