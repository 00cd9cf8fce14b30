using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// The master key of an encrypted repository: 32 random bytes, stored only wrapped by a passphrase
/// (<see cref="Wrap"/>, <see cref="Unlock"/>). Nothing is encrypted with it directly; HKDF-SHA256 derives a data key
/// (each object then gets its own key from it and a random salt) and a name key (HMAC-SHA256 of logical names).
/// Safe to use from several threads at once; dispose it to wipe the keys.
/// </summary>
public sealed class RepositoryKey : IDisposable
{
    public const int KeySize = 32;
    private const int SaltSize = 16;
    private const int WrapNonceSize = 12;
    private const int WrapTagSize = 16;

    /// <summary>A new passphrase shorter than this is refused; an existing one is taken as it is.</summary>
    public const int MinimumPassphraseLength = 12;

    private static readonly byte[] DataKeyInfo = Encoding.ASCII.GetBytes("HotmessRecovery repository v1 data");
    private static readonly byte[] NameKeyInfo = Encoding.ASCII.GetBytes("HotmessRecovery repository v1 names");
    private const string WrapContext = "HotmessRecovery repository key v1";

    // Pinned, so the collector never leaves copies of a key behind in memory it moved.
    private readonly byte[] _master = GC.AllocateArray<byte>(KeySize, pinned: true);
    private readonly byte[] _dataKey = GC.AllocateArray<byte>(KeySize, pinned: true);
    private readonly byte[] _nameKey = GC.AllocateArray<byte>(KeySize, pinned: true);
    private bool _disposed;

    private RepositoryKey(ReadOnlySpan<byte> master)
    {
        master.CopyTo(_master);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _master, _dataKey, ReadOnlySpan<byte>.Empty, DataKeyInfo);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _master, _nameKey, ReadOnlySpan<byte>.Empty, NameKeyInfo);
    }

    /// <summary>A new random master key.</summary>
    public static RepositoryKey CreateNew()
    {
        Span<byte> master = stackalloc byte[KeySize];
        RandomNumberGenerator.Fill(master);
        try
        {
            return new RepositoryKey(master);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    /// <summary>
    /// The master key encrypted under the passphrase stretched by Argon2id with <paramref name="parameters"/>
    /// (<see cref="KdfParameters.Default"/> when null) and a fresh salt. <c>RepositoryPassphraseTooShort</c> under
    /// <see cref="MinimumPassphraseLength"/> characters; parameters outside the limits are an argument error.
    /// </summary>
    public RepositoryKeyEnvelope Wrap(Secret passphrase, KdfParameters? parameters = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        parameters ??= KdfParameters.Default;
        if (parameters.Problem() is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(parameters), $"The key parameters are refused: {problem}.");
        }

        if (passphrase.Reveal().Length < MinimumPassphraseLength)
        {
            throw new HotmessException("RepositoryPassphraseTooShort", FailureKind.InvalidArgument,
                $"The repository passphrase is shorter than {MinimumPassphraseLength} characters; use a longer one (a key file can hold a long random one).", null);
        }

        var salt = RandomNumberGenerator.GetBytes(SaltSize);
        var nonce = RandomNumberGenerator.GetBytes(WrapNonceSize);
        var wrapped = new byte[KeySize + WrapTagSize];
        var kek = Argon2idKdf.DeriveKey(passphrase, salt, parameters, KeySize);
        try
        {
            using var aes = new AesGcm(kek, WrapTagSize);
            aes.Encrypt(nonce, _master, wrapped.AsSpan(0, KeySize), wrapped.AsSpan(KeySize), WrapAssociatedData(parameters, salt));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }

        return new RepositoryKeyEnvelope
        {
            Kdf = parameters,
            Salt = Convert.ToBase64String(salt),
            Nonce = Convert.ToBase64String(nonce),
            WrappedKey = Convert.ToBase64String(wrapped),
        };
    }

    /// <summary>
    /// The master key out of its envelope. A passphrase that does not open it: <c>RepositoryKeyWrong</c> naming
    /// <paramref name="repositoryLocation"/>, before anything else of the repository is read. Parameters outside the
    /// limits or malformed fields: <c>RepositoryDescriptorInvalid</c>, before any work is spent on them.
    /// </summary>
    public static RepositoryKey Unlock(RepositoryKeyEnvelope envelope, Secret passphrase, string repositoryLocation)
    {
        envelope.Kdf.EnsureUsable(repositoryLocation);
        if (envelope.Algorithm != RepositoryKeyEnvelope.WrapAlgorithm)
        {
            throw Invalid(repositoryLocation, $"the key is wrapped with '{envelope.Algorithm}', not {RepositoryKeyEnvelope.WrapAlgorithm}");
        }

        var salt = Decode(envelope.Salt, "salt", repositoryLocation);
        var nonce = Decode(envelope.Nonce, "nonce", repositoryLocation);
        var wrapped = Decode(envelope.WrappedKey, "wrapped key", repositoryLocation);
        if (salt.Length < SaltSize || nonce.Length != WrapNonceSize || wrapped.Length != KeySize + WrapTagSize)
        {
            throw Invalid(repositoryLocation, "its salt, nonce or wrapped key has the wrong length");
        }

        // The same passphrase, salt and parameters stretch to the same key: an earlier unlock in this process spares the work.
        var kek = KeyDerivationCache.Shared.DeriveKey(passphrase, salt, envelope.Kdf, KeySize);
        var master = GC.AllocateArray<byte>(KeySize, pinned: true);
        try
        {
            using var aes = new AesGcm(kek, WrapTagSize);
            aes.Decrypt(nonce, wrapped.AsSpan(0, KeySize), wrapped.AsSpan(KeySize), master, WrapAssociatedData(envelope.Kdf, salt));
            return new RepositoryKey(master);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new HotmessException("RepositoryKeyWrong", FailureKind.AuthenticationFailed,
                $"The key does not unlock the repository '{repositoryLocation}': the passphrase is wrong (or the repository's descriptor was altered). Check -KeyFile or HOTMESS_REPOSITORY_KEY.",
                repositoryLocation, ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
            CryptographicOperations.ZeroMemory(master);
        }
    }

    /// <summary>
    /// The name an object is stored under: HMAC-SHA256 of the logical name under the name key, 64 lowercase hex
    /// characters. The same name always gives the same object name in one repository; without the key it reveals
    /// nothing, not even whether two repositories hold the same file.
    /// </summary>
    public string ObjectName(string logicalName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(logicalName);
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_nameKey, Encoding.UTF8.GetBytes(logicalName), mac);
        return Convert.ToHexString(mac).ToLowerInvariant();
    }

    /// <summary>
    /// A readable stream of the encryption of <paramref name="plaintext"/> (read from its current position) under
    /// <paramref name="logicalName"/>, which the reader must give again. Its <c>Length</c> is known when the
    /// plaintext's is. It owns <paramref name="plaintext"/>.
    /// </summary>
    public Stream OpenEncrypting(Stream plaintext, string logicalName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentException.ThrowIfNullOrEmpty(logicalName);
        return new EncryptingStream(plaintext, _dataKey, logicalName);
    }

    /// <summary>
    /// A readable stream of the plaintext of an object written under <paramref name="logicalName"/>. Any alteration,
    /// truncation, reordering or an object stored under another name fails a read with <c>RepositoryObjectCorrupted</c>
    /// naming <paramref name="logicalName"/>. It owns <paramref name="ciphertext"/>.
    /// </summary>
    public Stream OpenDecrypting(Stream ciphertext, string logicalName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentException.ThrowIfNullOrEmpty(logicalName);
        return new DecryptingStream(ciphertext, _dataKey, logicalName);
    }

    /// <summary>How many bytes an object of <paramref name="plaintextLength"/> bytes takes once encrypted.</summary>
    public static long EncryptedLength(long plaintextLength) => ChunkedFormat.EncryptedLength(plaintextLength);

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptographicOperations.ZeroMemory(_master);
            CryptographicOperations.ZeroMemory(_dataKey);
            CryptographicOperations.ZeroMemory(_nameKey);
        }
    }

    private static byte[] WrapAssociatedData(KdfParameters parameters, byte[] salt) =>
        Encoding.ASCII.GetBytes($"{WrapContext}\n{parameters.Canonical()}\nsalt={Convert.ToBase64String(salt)}");

    private static byte[] Decode(string? text, string what, string location)
    {
        try
        {
            return Convert.FromBase64String(text ?? throw new FormatException());
        }
        catch (FormatException)
        {
            throw Invalid(location, $"its {what} is not base64");
        }
    }

    private static HotmessException Invalid(string location, string what) =>
        new("RepositoryDescriptorInvalid", FailureKind.InvalidData,
            $"The descriptor of the repository '{location}' is damaged: {what}.", location);
}
