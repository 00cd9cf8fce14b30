using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;
using Konscious.Security.Cryptography;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// Argon2id (RFC 9106, version 0x13) over a passphrase's UTF-8 bytes: libsodium's where it can (<see cref="NativeArgon2id"/>),
/// else the managed implementation; both give the same key for the same inputs.
/// </summary>
internal static class Argon2idKdf
{
    public static byte[] DeriveKey(Secret passphrase, byte[] salt, KdfParameters parameters, int length) =>
        WithPassword(passphrase, password => NativeArgon2id.TryDeriveKey(password, salt, parameters, length)
            ?? DeriveManaged(password, salt, parameters, length));

    /// <summary>The managed implementation alone, whatever libsodium could do.</summary>
    internal static byte[] DeriveKeyManaged(Secret passphrase, byte[] salt, KdfParameters parameters, int length) =>
        WithPassword(passphrase, password => DeriveManaged(password, salt, parameters, length));

    private static byte[] DeriveManaged(byte[] password, byte[] salt, KdfParameters parameters, int length)
    {
        using var argon2 = new Argon2id(password)
        {
            Salt = salt,
            MemorySize = parameters.MemoryKiB,
            Iterations = parameters.Iterations,
            DegreeOfParallelism = parameters.Parallelism,
        };
        return argon2.GetBytes(length);
    }

    private static byte[] WithPassword(Secret passphrase, Func<byte[], byte[]> derive)
    {
        var password = Encoding.UTF8.GetBytes(passphrase.Reveal());
        try
        {
            return derive(password);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }
}
