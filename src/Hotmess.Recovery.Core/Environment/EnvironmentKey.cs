using System.Collections;
using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Environments;

/// <summary>
/// What an environment set is encrypted with: 32 random bytes (a key file, or the same base64 text held in an
/// Automation variable or <c>HOTMESS_ENVIRONMENT_KEY</c>), or a passphrase stretched with PBKDF2-SHA256.
/// Each set then gets its own keys through HKDF-SHA256 and a random salt.
/// </summary>
public sealed class EnvironmentKey
{
    public const string KeyKindRaw = "Key";
    public const string KeyKindPassphrase = "Passphrase";
    public const string KdfRaw = "HKDF-SHA256";
    public const string KdfPassphrase = "PBKDF2-SHA256+HKDF-SHA256";

    /// <summary>OWASP's figure for PBKDF2-HMAC-SHA256.</summary>
    public const int MinimumIterations = 600_000;

    /// <summary>Refused when reading: a manifest asking for more is damaged, and would only burn CPU.</summary>
    public const int MaximumIterations = 10_000_000;

    public const int MinimumPassphraseLength = 12;
    public const int KeyLength = 32;
    public const int SaltLength = 16;
    private const int KeyCheckLength = 16;
    private static readonly byte[] EncryptionInfo = Encoding.ASCII.GetBytes("HotmessRecovery environment set v1 encryption");
    private static readonly byte[] KeyCheckInfo = Encoding.ASCII.GetBytes("HotmessRecovery environment set v1 key check");

    private readonly Secret? _passphrase;
    private readonly byte[]? _key;

    private EnvironmentKey(string kind, string source, byte[]? key, Secret? passphrase)
    {
        Kind = kind;
        Source = source;
        _key = key;
        _passphrase = passphrase;
    }

    /// <summary><see cref="KeyKindRaw"/> or <see cref="KeyKindPassphrase"/>.</summary>
    public string Kind { get; }

    /// <summary>Where the key came from, for messages: a file path, "-Key", "HOTMESS_ENVIRONMENT_KEY", "-Passphrase".</summary>
    public string Source { get; }

    /// <summary>A key file: one line of base64 holding exactly 32 bytes.</summary>
    public static EnvironmentKey FromKeyFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new HotmessException("EnvironmentKeyFileNotFound", FailureKind.NotFound, $"The key file '{path}' does not exist.", path, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HotmessException("EnvironmentKeyFileUnreadable", FailureKind.PermissionDenied, $"The key file '{path}' cannot be read: {ex.Message}", path, ex);
        }

        return new EnvironmentKey(KeyKindRaw, path, DecodeKey(text, $"the key file '{path}'", path), null);
    }

    /// <summary>The base64 text of a key, as an Automation variable or <c>HOTMESS_ENVIRONMENT_KEY</c> holds it.</summary>
    public static EnvironmentKey FromBase64(Secret key, string source) =>
        new(KeyKindRaw, source, DecodeKey(key.Reveal(), source, source), null);

    public static EnvironmentKey FromPassphrase(Secret passphrase, string source = "-Passphrase") =>
        new(KeyKindPassphrase, source, null, passphrase);

    /// <summary>The environment variable a runbook or CI sets to the base64 key when no key parameter is given.</summary>
    public const string EnvironmentVariable = "HOTMESS_ENVIRONMENT_KEY";

    /// <summary>
    /// The one key the caller gave: a key file, a base64 key (an Automation variable), a passphrase, or else
    /// <see cref="EnvironmentVariable"/>. <c>EnvironmentKeyMissing</c> when there is none, <c>EnvironmentKeyAmbiguous</c>
    /// when more than one was given.
    /// </summary>
    public static EnvironmentKey Resolve(string? keyFile, Secret? key, Secret? passphrase, IDictionary environment)
    {
        var given = (keyFile is null ? 0 : 1) + (key is null ? 0 : 1) + (passphrase is null ? 0 : 1);
        if (given > 1)
        {
            throw new HotmessException("EnvironmentKeyAmbiguous", FailureKind.InvalidArgument,
                "Give one of -KeyFile, -Key and -Passphrase, not several.", null);
        }

        if (keyFile is not null)
        {
            return FromKeyFile(keyFile);
        }

        if (key is not null)
        {
            return FromBase64(key, "-Key");
        }

        if (passphrase is not null)
        {
            return FromPassphrase(passphrase);
        }

        return ConfigurationLoader.GetSecret(environment, EnvironmentVariable) is { } fromEnvironment
            ? FromBase64(fromEnvironment, EnvironmentVariable)
            : throw new HotmessException("EnvironmentKeyMissing", FailureKind.InvalidArgument,
                $"No encryption key for the environment set: pass -KeyFile, -Key (e.g. from an Automation variable) or -Passphrase, or set {EnvironmentVariable}.",
                EnvironmentVariable);
    }

    /// <summary>32 new random bytes as base64: the content of a new key file.</summary>
    public static string NewKeyText() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyLength));

    /// <summary>The parameters for a new set: a fresh salt; the key check follows from the derived keys.</summary>
    public EnvironmentEncryption NewEncryption(int iterations = MinimumIterations)
    {
        if (Kind == KeyKindPassphrase)
        {
            if (_passphrase!.Reveal().Length < MinimumPassphraseLength)
            {
                throw new HotmessException("EnvironmentPassphraseTooShort", FailureKind.InvalidArgument,
                    $"The passphrase is shorter than {MinimumPassphraseLength} characters; use a longer one or a key file.", Source);
            }

            if (iterations < MinimumIterations)
            {
                throw new ArgumentOutOfRangeException(nameof(iterations), $"At least {MinimumIterations} PBKDF2 iterations.");
            }
        }

        return new EnvironmentEncryption
        {
            Algorithm = EnvironmentCipher.Algorithm,
            KeyKind = Kind,
            Kdf = Kind == KeyKindPassphrase ? KdfPassphrase : KdfRaw,
            Iterations = Kind == KeyKindPassphrase ? iterations : null,
            Salt = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SaltLength)),
        };
    }

    /// <summary>
    /// The set's AES key and its key check, derived as <paramref name="encryption"/> says. The caller zeroes the
    /// returned key when done.
    /// </summary>
    internal (byte[] EncryptionKey, byte[] KeyCheck) Derive(EnvironmentEncryption encryption, string setId)
    {
        if (encryption.KeyKind != Kind)
        {
            var needed = encryption.KeyKind == KeyKindPassphrase ? "-Passphrase" : "-KeyFile, -Key or HOTMESS_ENVIRONMENT_KEY";
            throw new HotmessException("EnvironmentKeyKindMismatch", FailureKind.InvalidArgument,
                $"The environment set '{setId}' was encrypted with a {encryption.KeyKind.ToLowerInvariant()}, not a {Kind.ToLowerInvariant()}; use {needed}.", setId);
        }

        byte[] salt;
        try
        {
            salt = Convert.FromBase64String(encryption.Salt);
        }
        catch (FormatException ex)
        {
            throw Damaged(setId, "its salt is not base64", ex);
        }

        if (salt.Length < SaltLength)
        {
            throw Damaged(setId, $"its salt is {salt.Length} bytes, not {SaltLength}");
        }

        byte[] master;
        if (Kind == KeyKindPassphrase)
        {
            if (encryption.Iterations is not { } iterations || iterations < MinimumIterations || iterations > MaximumIterations)
            {
                throw Damaged(setId, $"its PBKDF2 iteration count ({encryption.Iterations?.ToString() ?? "none"}) is outside {MinimumIterations}–{MaximumIterations}");
            }

            var passphrase = Encoding.UTF8.GetBytes(_passphrase!.Reveal());
            try
            {
                master = Rfc2898DeriveBytes.Pbkdf2(passphrase, salt, iterations, HashAlgorithmName.SHA256, KeyLength);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(passphrase);
            }
        }
        else
        {
            master = (byte[])_key!.Clone();
        }

        try
        {
            return (HKDF.DeriveKey(HashAlgorithmName.SHA256, master, KeyLength, salt, EncryptionInfo),
                HKDF.DeriveKey(HashAlgorithmName.SHA256, master, KeyCheckLength, salt, KeyCheckInfo));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    internal static HotmessException Damaged(string setId, string what, Exception? inner = null) =>
        new("EnvironmentManifestInvalid", FailureKind.InvalidData,
            $"The manifest of environment set '{setId}' is damaged: {what}.", setId, inner);

    private static byte[] DecodeKey(string text, string what, string target)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new HotmessException("EnvironmentKeyInvalid", FailureKind.InvalidArgument,
                $"The key in {what} is not base64; a key is 32 random bytes in base64 (44 characters).", target);
        }

        if (key.Length != KeyLength)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new HotmessException("EnvironmentKeyInvalid", FailureKind.InvalidArgument,
                $"The key in {what} is {key.Length} bytes; a key is exactly {KeyLength} random bytes in base64.", target);
        }

        return key;
    }
}
