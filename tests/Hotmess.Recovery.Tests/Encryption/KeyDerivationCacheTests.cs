using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;

namespace Hotmess.Recovery.Tests.Encryption;

public sealed class KeyDerivationCacheTests
{
    private const string Location = "az://backups/hotmess";
    private static readonly Secret Passphrase = new("correct horse battery staple");

    [Fact]
    public void The_same_passphrase_salt_and_parameters_are_stretched_once()
    {
        var runs = 0;
        var cache = new KeyDerivationCache((p, s, k, l) => { runs++; return Argon2idKdfFor(p, s, k, l); });
        var salt = RandomNumberGenerator.GetBytes(16);

        var first = cache.DeriveKey(Passphrase, salt, KdfParameters.Minimum, 32);
        var second = cache.DeriveKey(new Secret("correct horse battery staple"), salt.ToArray(), KdfParameters.Minimum, 32);

        Assert.Equal(1, runs);
        Assert.Equal(first, second);
        Assert.Equal(Argon2idKdfFor(Passphrase, salt, KdfParameters.Minimum, 32), second);
    }

    [Fact]
    public void Another_passphrase_salt_parameters_or_length_is_stretched_anew()
    {
        var runs = 0;
        var cache = new KeyDerivationCache((p, s, k, l) => { runs++; return Argon2idKdfFor(p, s, k, l); });
        var salt = RandomNumberGenerator.GetBytes(16);
        var known = cache.DeriveKey(Passphrase, salt, KdfParameters.Minimum, 32);

        var otherPassphrase = cache.DeriveKey(new Secret("correct horse battery stable"), salt, KdfParameters.Minimum, 32);
        var otherSalt = cache.DeriveKey(Passphrase, RandomNumberGenerator.GetBytes(16), KdfParameters.Minimum, 32);
        var otherParameters = cache.DeriveKey(Passphrase, salt, KdfParameters.Minimum with { Iterations = 3 }, 32);
        var otherLength = cache.DeriveKey(Passphrase, salt, KdfParameters.Minimum, 16);

        Assert.Equal(5, runs);
        Assert.All(new[] { otherPassphrase, otherSalt, otherParameters }, k => Assert.NotEqual(known, k));
        Assert.Equal(16, otherLength.Length);
    }

    [Fact]
    public void A_caller_wiping_its_copy_leaves_the_kept_key_whole()
    {
        var cache = new KeyDerivationCache(Argon2idKdfFor);
        var salt = RandomNumberGenerator.GetBytes(16);
        var expected = Argon2idKdfFor(Passphrase, salt, KdfParameters.Minimum, 32);

        CryptographicOperations.ZeroMemory(cache.DeriveKey(Passphrase, salt, KdfParameters.Minimum, 32));

        Assert.Equal(expected, cache.DeriveKey(Passphrase, salt, KdfParameters.Minimum, 32));
    }

    [Fact]
    public void The_oldest_key_is_forgotten_beyond_the_capacity()
    {
        var runs = 0;
        var cache = new KeyDerivationCache((p, s, k, l) => { runs++; return s.ToArray(); }, capacity: 2);
        var salts = Enumerable.Range(0, 3).Select(_ => RandomNumberGenerator.GetBytes(16)).ToList();

        salts.ForEach(s => cache.DeriveKey(Passphrase, s, KdfParameters.Minimum, 32));
        cache.DeriveKey(Passphrase, salts[2], KdfParameters.Minimum, 32);
        cache.DeriveKey(Passphrase, salts[0], KdfParameters.Minimum, 32);

        Assert.Equal(4, runs);
    }

    [Fact]
    public void A_wrong_passphrase_still_fails_after_the_right_one_opened_the_repository()
    {
        using var key = RepositoryKey.CreateNew();
        var envelope = key.Wrap(Passphrase, KdfParameters.Minimum);
        using var opened = RepositoryKey.Unlock(envelope, Passphrase, Location);

        var failure = Assert.Throws<HotmessException>(() => RepositoryKey.Unlock(envelope, new Secret("correct horse battery stable"), Location));

        Assert.Equal("RepositoryKeyWrong", failure.ErrorId);
    }

    [Fact]
    public void An_altered_envelope_still_fails_after_the_right_passphrase_opened_it()
    {
        using var key = RepositoryKey.CreateNew();
        var envelope = key.Wrap(Passphrase, KdfParameters.Minimum);
        using var opened = RepositoryKey.Unlock(envelope, Passphrase, Location);
        var wrapped = Convert.FromBase64String(envelope.WrappedKey);
        wrapped[0] ^= 1;

        var failure = Assert.Throws<HotmessException>(() => RepositoryKey.Unlock(envelope with { WrappedKey = Convert.ToBase64String(wrapped) }, Passphrase, Location));

        Assert.Equal("RepositoryKeyWrong", failure.ErrorId);
    }

    [Fact]
    public void An_unlock_keeps_the_stretched_key_for_the_next_unlock_in_the_process()
    {
        using var key = RepositoryKey.CreateNew();
        var envelope = key.Wrap(Passphrase, KdfParameters.Minimum);
        var salt = Convert.FromBase64String(envelope.Salt);
        Assert.False(KeyDerivationCache.Shared.Holds(Passphrase, salt, envelope.Kdf, RepositoryKey.KeySize));

        using var first = RepositoryKey.Unlock(envelope, Passphrase, Location);

        Assert.True(KeyDerivationCache.Shared.Holds(Passphrase, salt, envelope.Kdf, RepositoryKey.KeySize));
        using var second = RepositoryKey.Unlock(envelope, Passphrase, Location);
        Assert.Equal(first.ObjectName("sets/a/manifest.json"), second.ObjectName("sets/a/manifest.json"));
    }

    private static byte[] Argon2idKdfFor(Secret passphrase, byte[] salt, KdfParameters parameters, int length) =>
        Argon2idKdf.DeriveKey(passphrase, salt, parameters, length);
}
