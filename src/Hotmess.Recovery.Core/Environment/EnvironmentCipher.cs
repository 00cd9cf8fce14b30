using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Environments;

/// <summary>
/// AES-256-GCM over the variable values of one set. The payload file is
/// <c>"HMENV" | version (1 byte) | nonce (12) | tag (16) | ciphertext</c>; the associated data is the set id, the
/// source project and the manifest's environment section (names, targets, types, encryption parameters), so
/// neither the values nor what the manifest says about them can be changed unnoticed.
/// </summary>
public static class EnvironmentCipher
{
    public const string Algorithm = "AES-256-GCM";
    private const byte FormatVersion = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private static readonly byte[] Magic = "HMENV"u8.ToArray();
    private static readonly int HeaderLength = Magic.Length + 1 + NonceLength + TagLength;

    /// <summary>Encrypts <paramref name="plaintext"/> for the set; returns the whole payload file's bytes.</summary>
    public static byte[] Encrypt(ReadOnlySpan<byte> plaintext, byte[] key, byte[] associatedData)
    {
        var payload = new byte[HeaderLength + plaintext.Length];
        Magic.CopyTo(payload, 0);
        payload[Magic.Length] = FormatVersion;
        var nonce = payload.AsSpan(Magic.Length + 1, NonceLength);
        var tag = payload.AsSpan(Magic.Length + 1 + NonceLength, TagLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plaintext, payload.AsSpan(HeaderLength), tag, associatedData);
        return payload;
    }

    /// <summary>
    /// Decrypts a payload. A failed tag check means the payload or the manifest was altered (the key itself was
    /// already recognised by its key check): <c>EnvironmentDecryptionFailed</c>, InvalidData. The caller zeroes the result.
    /// </summary>
    public static byte[] Decrypt(ReadOnlySpan<byte> payload, byte[] key, byte[] associatedData, string setId)
    {
        if (payload.Length < HeaderLength || !payload[..Magic.Length].SequenceEqual(Magic))
        {
            throw Tampered(setId, "the payload file does not start with an environment payload header");
        }

        if (payload[Magic.Length] != FormatVersion)
        {
            throw new HotmessException("EnvironmentPayloadVersionUnsupported", FailureKind.VersionMismatch,
                $"The payload of environment set '{setId}' has format {payload[Magic.Length]}; this module reads format {FormatVersion}.", setId);
        }

        var nonce = payload.Slice(Magic.Length + 1, NonceLength);
        var tag = payload.Slice(Magic.Length + 1 + NonceLength, TagLength);
        var ciphertext = payload[HeaderLength..];
        var plaintext = new byte[ciphertext.Length];
        using var aes = new AesGcm(key, TagLength);
        try
        {
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw Tampered(setId, "the authentication tag does not match: the payload, or the manifest's variables or encryption parameters, were altered", ex);
        }

        return plaintext;
    }

    /// <summary>
    /// The associated data of a set: a fixed, compact JSON rendering of what the manifest says, so the same manifest
    /// read back always gives the same bytes. The key check is left out: it is checked on its own first.
    /// </summary>
    public static byte[] AssociatedData(string setId, string? project, EnvironmentContents contents)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("set", setId);
            writer.WriteString("project", project);
            writer.WriteString("store", contents.Store);
            writer.WriteString("payload", contents.PayloadPath);
            writer.WriteStartArray("variables");
            foreach (var variable in contents.Variables)
            {
                writer.WriteStartObject();
                writer.WriteString("name", variable.Name);
                writer.WriteStartArray("targets");
                foreach (var target in variable.Targets)
                {
                    writer.WriteStringValue(target);
                }

                writer.WriteEndArray();
                writer.WriteString("type", variable.Type);
                writer.WriteString("gitBranch", variable.GitBranch);
                writer.WriteBoolean("hasValue", variable.HasValue);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            var e = contents.Encryption;
            writer.WriteString("algorithm", e.Algorithm);
            writer.WriteString("keyKind", e.KeyKind);
            writer.WriteString("kdf", e.Kdf);
            if (e.Iterations is { } iterations)
            {
                writer.WriteNumber("iterations", iterations);
            }

            writer.WriteString("salt", e.Salt);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The values, in manifest order, as length-prefixed UTF-8: no JSON escaping to get wrong, nothing but values.</summary>
    public static byte[] PackValues(IReadOnlyList<Secret> values)
    {
        var encoded = values.Select(v => Encoding.UTF8.GetBytes(v.Reveal())).ToList();
        try
        {
            var packed = new byte[4 + encoded.Sum(e => 4 + e.Length)];
            BinaryPrimitives.WriteInt32BigEndian(packed, encoded.Count);
            var offset = 4;
            foreach (var value in encoded)
            {
                BinaryPrimitives.WriteInt32BigEndian(packed.AsSpan(offset), value.Length);
                value.CopyTo(packed, offset + 4);
                offset += 4 + value.Length;
            }

            return packed;
        }
        finally
        {
            encoded.ForEach(e => CryptographicOperations.ZeroMemory(e));
        }
    }

    public static IReadOnlyList<Secret> UnpackValues(ReadOnlySpan<byte> packed, int expectedCount, string setId)
    {
        if (packed.Length < 4 || BinaryPrimitives.ReadInt32BigEndian(packed) != expectedCount)
        {
            throw Tampered(setId, "the payload holds a different number of values than the manifest lists");
        }

        var values = new List<Secret>(expectedCount);
        var offset = 4;
        for (var i = 0; i < expectedCount; i++)
        {
            if (offset + 4 > packed.Length)
            {
                throw Tampered(setId, "the payload ends early");
            }

            var length = BinaryPrimitives.ReadInt32BigEndian(packed[offset..]);
            if (length <= 0 || offset + 4 + length > packed.Length)
            {
                throw Tampered(setId, "a value's length is out of range");
            }

            values.Add(new Secret(Encoding.UTF8.GetString(packed.Slice(offset + 4, length))));
            offset += 4 + length;
        }

        return offset == packed.Length ? values : throw Tampered(setId, "the payload has bytes after the last value");
    }

    internal static HotmessException Tampered(string setId, string what, Exception? inner = null) =>
        new("EnvironmentDecryptionFailed", FailureKind.InvalidData,
            $"Environment set '{setId}' cannot be decrypted: {what}. Restore from another set.", setId, inner);
}
