namespace Hotmess.Recovery.Encryption;

/// <summary>
/// The master key as the descriptor stores it: encrypted (AES-256-GCM) under a key stretched from the passphrase by
/// Argon2id with <see cref="Kdf"/> and <see cref="Salt"/>. The parameters and the salt are the associated data, so a
/// changed one fails like a wrong passphrase. Byte fields are base64.
/// </summary>
public sealed record RepositoryKeyEnvelope
{
    public const string WrapAlgorithm = "AES-256-GCM";

    public required KdfParameters Kdf { get; init; }

    public required string Salt { get; init; }

    public string Algorithm { get; init; } = WrapAlgorithm;

    public required string Nonce { get; init; }

    /// <summary>The 32-byte master key's ciphertext followed by its 16-byte tag.</summary>
    public required string WrappedKey { get; init; }
}
