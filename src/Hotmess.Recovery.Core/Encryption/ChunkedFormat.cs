using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// The layout of one encrypted object, the STREAM construction over AES-256-GCM:
/// <code>
/// header  "HMOBJ" | version 0x01 | salt (32 random bytes) | nonce prefix (7 random bytes)          45 bytes
/// chunk i ciphertext of plaintext bytes [i·64 KiB, (i+1)·64 KiB) | GCM tag (16)                   at most 64 KiB + 16
/// </code>
/// Each object has its own key, HKDF-SHA256(data key, salt, "HotmessRecovery object v1"), and chunk i its own nonce,
/// nonce prefix | i (uint32, big-endian) | 0x01 on the last chunk else 0x00. Every chunk is full but the last, which
/// holds 0 to 64 KiB (an empty object is one empty last chunk). The associated data of every chunk is the header
/// followed by the object's logical name in UTF-8: a changed header, a chunk moved, dropped or added, a stream cut at
/// a chunk boundary or an object stored under another name all fail a tag.
/// </summary>
internal static class ChunkedFormat
{
    public const int ChunkSize = 64 * 1024;
    public const int TagSize = 16;
    public const int KeySize = 32;
    public const int SaltSize = 32;
    public const int NoncePrefixSize = 7;
    public const int NonceSize = 12;
    public const byte Version = 1;
    public static ReadOnlySpan<byte> Magic => "HMOBJ"u8;
    public static readonly int HeaderSize = Magic.Length + 1 + SaltSize + NoncePrefixSize;

    private static readonly byte[] ObjectKeyInfo = Encoding.ASCII.GetBytes("HotmessRecovery object v1");

    public static long EncryptedLength(long plaintextLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(plaintextLength);
        var chunks = plaintextLength == 0 ? 1 : (plaintextLength + ChunkSize - 1) / ChunkSize;
        return HeaderSize + plaintextLength + (chunks * TagSize);
    }

    /// <summary>A new header: fresh random salt and nonce prefix.</summary>
    public static byte[] NewHeader()
    {
        var header = new byte[HeaderSize];
        Magic.CopyTo(header);
        header[Magic.Length] = Version;
        RandomNumberGenerator.Fill(header.AsSpan(Magic.Length + 1));
        return header;
    }

    public static ReadOnlySpan<byte> Salt(ReadOnlySpan<byte> header) => header.Slice(Magic.Length + 1, SaltSize);

    public static ReadOnlySpan<byte> NoncePrefix(ReadOnlySpan<byte> header) => header.Slice(Magic.Length + 1 + SaltSize, NoncePrefixSize);

    /// <summary>The cipher for one object, keyed by its own key; the caller disposes it.</summary>
    public static AesGcm ObjectCipher(byte[] dataKey, ReadOnlySpan<byte> header)
    {
        var key = new byte[KeySize];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, key, Salt(header), ObjectKeyInfo);
            return new AesGcm(key, TagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public static byte[] AssociatedData(ReadOnlySpan<byte> header, string logicalName)
    {
        var name = Encoding.UTF8.GetBytes(logicalName);
        var data = new byte[header.Length + name.Length];
        header.CopyTo(data);
        name.CopyTo(data, header.Length);
        return data;
    }

    public static void Nonce(Span<byte> nonce, ReadOnlySpan<byte> header, uint counter, bool last)
    {
        NoncePrefix(header).CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[NoncePrefixSize..], counter);
        nonce[NonceSize - 1] = last ? (byte)1 : (byte)0;
    }

    public static HotmessException Corrupted(string logicalName, string what, Exception? inner = null) =>
        new("RepositoryObjectCorrupted", FailureKind.InvalidData,
            $"The repository object '{logicalName}' does not authenticate: {what}. Nothing read from it can be trusted; use another copy or another set.",
            logicalName, inner);
}
