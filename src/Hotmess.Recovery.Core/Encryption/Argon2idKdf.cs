using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;
using Konscious.Security.Cryptography;

namespace Hotmess.Recovery.Encryption;

/// <summary>Argon2id (RFC 9106, version 0x13) over a passphrase's UTF-8 bytes.</summary>
internal static class Argon2idKdf
{
    public static byte[] DeriveKey(Secret passphrase, byte[] salt, KdfParameters parameters, int length)
    {
        var password = Encoding.UTF8.GetBytes(passphrase.Reveal());
        try
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
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }
}
