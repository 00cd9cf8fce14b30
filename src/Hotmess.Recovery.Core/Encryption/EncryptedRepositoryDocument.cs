namespace Hotmess.Recovery.Encryption;

/// <summary>
/// The document <c>hotmess-repository.json</c> at the root of an encrypted repository: what it is, since when, and
/// its master key wrapped by the passphrase. The only object stored in clear; it holds nothing secret. A plain local
/// repository has a descriptor of the same name with <c>formatVersion</c> instead of <c>format</c>.
/// </summary>
public sealed record EncryptedRepositoryDocument
{
    public const string FormatName = "hotmess-repository";
    public const int CurrentVersion = 1;

    /// <summary><see cref="FormatName"/>; a plain local repository's descriptor, of the same file name, has none.</summary>
    public string? Format { get; init; }

    public int Version { get; init; }

    /// <summary>Set only in a plain local repository's descriptor, which shares the file name.</summary>
    public int? FormatVersion { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>When the passphrase was last changed; null while it is the first one.</summary>
    public DateTimeOffset? KeyChangedUtc { get; init; }

    public RepositoryEncryption? Encryption { get; init; }
}

/// <summary>The primitives of an encrypted repository (informative: the format version fixes them) and its key.</summary>
public sealed record RepositoryEncryption
{
    public string Objects { get; init; } = "AES-256-GCM STREAM, 64 KiB chunks, key per object by HKDF-SHA256";

    public string Names { get; init; } = "HMAC-SHA256";

    public required RepositoryKeyEnvelope Key { get; init; }
}
