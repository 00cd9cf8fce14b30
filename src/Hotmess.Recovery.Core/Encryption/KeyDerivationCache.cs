using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// The keys this process has stretched from passphrases to unlock repositories, so opening the same repository again
/// (a listing piped into a restore, one copy per set of a pipeline) costs no second Argon2id run of most of a second.
/// Only the KDF's deterministic output is kept: the wrapped master key is still decrypted and authenticated at every
/// unlock, so a wrong passphrase or an altered descriptor fails exactly as before. Entries are found by an HMAC under
/// a random key of this process over everything the output depends on (parameters, salt, length, passphrase), so
/// memory holds no fast hash of a passphrase; the process holds the passphrase itself anyway (the variable or key
/// file it read), so keeping what it derives gives a reader of its memory nothing more. Nothing is written to disk.
/// </summary>
internal sealed class KeyDerivationCache
{
    private const int DefaultCapacity = 16;

    private readonly Func<Secret, byte[], KdfParameters, int, byte[]> _derive;
    private readonly int _capacity;
    private readonly byte[] _identityKey = RandomNumberGenerator.GetBytes(32);
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly object _gate = new();

    public KeyDerivationCache(Func<Secret, byte[], KdfParameters, int, byte[]> derive, int capacity = DefaultCapacity)
    {
        _derive = derive;
        _capacity = capacity;
    }

    /// <summary>The one every unlock in this process shares.</summary>
    public static KeyDerivationCache Shared { get; } = new(Argon2idKdf.DeriveKey);

    /// <summary>The derived key, computed once per distinct input; the caller owns (and may wipe) the copy it gets.</summary>
    public byte[] DeriveKey(Secret passphrase, byte[] salt, KdfParameters parameters, int length)
    {
        var identity = Identity(passphrase, salt, parameters, length);
        lock (_gate)
        {
            if (_keys.TryGetValue(identity, out var known))
            {
                return known.ToArray();
            }
        }

        var key = _derive(passphrase, salt, parameters, length);
        lock (_gate)
        {
            if (!_keys.ContainsKey(identity))
            {
                // Pinned, so the collector never leaves copies of a key behind in memory it moved.
                var kept = GC.AllocateArray<byte>(key.Length, pinned: true);
                key.CopyTo(kept, 0);
                _keys[identity] = kept;
                _order.Enqueue(identity);
                if (_order.Count > _capacity && _keys.Remove(_order.Dequeue(), out var oldest))
                {
                    CryptographicOperations.ZeroMemory(oldest);
                }
            }
        }

        return key;
    }

    /// <summary>Whether the key for these inputs is kept (no derivation runs).</summary>
    public bool Holds(Secret passphrase, byte[] salt, KdfParameters parameters, int length)
    {
        var identity = Identity(passphrase, salt, parameters, length);
        lock (_gate)
        {
            return _keys.ContainsKey(identity);
        }
    }

    private string Identity(Secret passphrase, byte[] salt, KdfParameters parameters, int length)
    {
        var password = Encoding.UTF8.GetBytes(passphrase.Reveal());
        try
        {
            using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _identityKey);
            // Length-prefixed fields, so no two different inputs run together into the same bytes.
            foreach (var field in new[] { Encoding.ASCII.GetBytes($"{parameters.Canonical()} length={length}"), salt, password })
            {
                mac.AppendData(BitConverter.GetBytes(field.Length));
                mac.AppendData(field);
            }

            return Convert.ToHexString(mac.GetHashAndReset());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }
}
