namespace Hotmess.Recovery.Repository;

/// <summary>
/// The environment part of a manifest: variable names, targets and types; values only encrypted, in
/// <see cref="PayloadPath"/>. Everything here except <see cref="EnvironmentEncryption.KeyCheck"/> is bound to the
/// ciphertext as associated data, so a changed name, target, type or parameter makes decryption fail.
/// </summary>
public sealed class EnvironmentContents
{
    /// <summary>Where the variables were read from, e.g. <c>vercel</c>.</summary>
    public string Store { get; set; } = "";

    /// <summary>The encrypted values, relative to the set folder.</summary>
    public string PayloadPath { get; set; } = "environment.bin";

    /// <summary>Every variable, ordered by name then targets; those with <see cref="EnvironmentVariableEntry.HasValue"/> have a value in the payload.</summary>
    public List<EnvironmentVariableEntry> Variables { get; set; } = new();

    public EnvironmentEncryption Encryption { get; set; } = new();
}

public sealed class EnvironmentVariableEntry
{
    public string Name { get; set; } = "";

    /// <summary>production, preview and/or development.</summary>
    public List<string> Targets { get; set; } = new();

    /// <summary>The store's type: encrypted, sensitive or plain for Vercel.</summary>
    public string Type { get; set; } = "";

    public string? GitBranch { get; set; }

    /// <summary>False when the store would not give the value back (a Vercel <c>sensitive</c> variable): only the name is kept.</summary>
    public bool HasValue { get; set; }
}

/// <summary>How the payload was encrypted. Never the key: only what is needed to derive it again and to recognise it.</summary>
public sealed class EnvironmentEncryption
{
    /// <summary><c>AES-256-GCM</c>.</summary>
    public string Algorithm { get; set; } = "";

    /// <summary><c>Key</c> (32 random bytes: a key file or an Automation variable) or <c>Passphrase</c>.</summary>
    public string KeyKind { get; set; } = "";

    /// <summary><c>HKDF-SHA256</c> for a key, <c>PBKDF2-SHA256+HKDF-SHA256</c> for a passphrase.</summary>
    public string Kdf { get; set; } = "";

    /// <summary>PBKDF2 iterations; null for a key.</summary>
    public int? Iterations { get; set; }

    /// <summary>Random per set (base64), so no two sets share a key even under the same passphrase.</summary>
    public string Salt { get; set; } = "";

    /// <summary>
    /// 16 bytes derived from the key apart from the encryption key (base64): tells a wrong key from a damaged
    /// payload without trying to decrypt, and reveals nothing of the encryption key.
    /// </summary>
    public string KeyCheck { get; set; } = "";
}
