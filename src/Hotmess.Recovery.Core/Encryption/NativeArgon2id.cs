using Sodium;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// Argon2id by libsodium's crypto_pwhash (through Sodium.Core): native code, so a fresh process stretches a passphrase
/// in a fraction of the time the managed implementation takes, most of which is spent in not-yet-optimised JIT code.
/// libsodium runs one lane only and takes a 16-byte salt, and Sodium.Core asks for at least 3 passes: the default every
/// repository descriptor written so far holds. Anything else, or a platform whose libsodium was not laid out beside
/// the module, is left to the managed implementation.
/// </summary>
internal static class NativeArgon2id
{
    private const int SaltSize = 16;
    private const int MinimumIterations = 3;

    // Whether libsodium loads in this process: decided once, at the first derivation that could use it.
    private static readonly Lazy<bool> Loads = new(TryLoad, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Whether libsodium can compute Argon2id with these inputs (it is not asked whether it loads).</summary>
    public static bool Supports(byte[] salt, KdfParameters parameters) =>
        parameters.Parallelism == 1 && salt.Length == SaltSize && parameters.Iterations >= MinimumIterations;

    /// <summary>The derived key, or null when these inputs are not <see cref="Supports">supported</see> or libsodium does not load here.</summary>
    public static byte[]? TryDeriveKey(byte[] password, byte[] salt, KdfParameters parameters, int length)
    {
        if (!Supports(salt, parameters) || !Loads.Value)
        {
            return null;
        }

        return PasswordHash.ArgonHashBinary(password, salt, parameters.Iterations, parameters.MemoryKiB * 1024, length,
            PasswordHash.ArgonAlgorithm.Argon_2ID13);
    }

    private static bool TryLoad()
    {
        try
        {
            // Initialises libsodium (sodium_init) in Sodium.Core's static constructor.
            SodiumCore.Init();
            return true;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            return false;
        }
    }
}
