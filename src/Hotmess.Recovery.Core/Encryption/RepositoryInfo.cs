namespace Hotmess.Recovery.Encryption;

/// <summary>What Initialize-HotmessRepository and Set-HotmessRepositoryKey report about a repository; never a key.</summary>
public sealed record RepositoryInfo
{
    /// <summary>The display form of the location ("az://backups/hotmess", "/var/backups/hotmess").</summary>
    public required string Location { get; init; }

    public bool Encrypted { get; init; }

    public DateTimeOffset CreatedUtc { get; init; }

    /// <summary>When the passphrase was last changed; null while it is the first.</summary>
    public DateTimeOffset? KeyChangedUtc { get; init; }

    /// <summary>How the passphrase is stretched ("Argon2id m=65536 t=3 p=1"); null for a plain repository.</summary>
    public string? KeyDerivation { get; init; }

    public static RepositoryInfo Of(string location, EncryptedRepositoryDocument descriptor) => new()
    {
        Location = location,
        Encrypted = true,
        CreatedUtc = descriptor.CreatedUtc,
        KeyChangedUtc = descriptor.KeyChangedUtc,
        KeyDerivation = descriptor.Encryption?.Key.Kdf.Canonical(),
    };
}
