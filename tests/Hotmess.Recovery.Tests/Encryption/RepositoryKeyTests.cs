using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;

namespace Hotmess.Recovery.Tests.Encryption;

public sealed class RepositoryKeyTests
{
    private const string Location = "az://backups/hotmess";
    private static readonly Secret Passphrase = new("correct horse battery staple");

    [Fact]
    public void An_unlocked_key_reads_what_the_original_wrote_and_names_objects_alike()
    {
        using var key = RepositoryKey.CreateNew();
        var envelope = key.Wrap(Passphrase, KdfParameters.Minimum);
        var plaintext = RandomNumberGenerator.GetBytes(100_000);
        using var encrypting = key.OpenEncrypting(new MemoryStream(plaintext), "sets/a/manifest.json");
        var ciphertext = new MemoryStream();
        encrypting.CopyTo(ciphertext);

        using var unlocked = RepositoryKey.Unlock(envelope, Passphrase, Location);
        using var decrypting = unlocked.OpenDecrypting(new MemoryStream(ciphertext.ToArray()), "sets/a/manifest.json");
        var read = new MemoryStream();
        decrypting.CopyTo(read);

        Assert.Equal(plaintext, read.ToArray());
        Assert.Equal(key.ObjectName("sets/a/manifest.json"), unlocked.ObjectName("sets/a/manifest.json"));
        Assert.Equal(KdfParameters.Minimum, envelope.Kdf);
    }

    [Fact]
    public void A_wrong_passphrase_fails_at_once_naming_the_repository()
    {
        using var key = RepositoryKey.CreateNew();
        var envelope = key.Wrap(Passphrase, KdfParameters.Minimum);

        var failure = Assert.Throws<HotmessException>(() => RepositoryKey.Unlock(envelope, new Secret("correct horse battery stable"), Location));

        Assert.Equal("RepositoryKeyWrong", failure.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, failure.Kind);
        Assert.Equal(Location, failure.Target);
        Assert.Contains(Location, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("stable", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Changed_parameters_in_the_envelope_fail_like_a_wrong_passphrase()
    {
        using var key = RepositoryKey.CreateNew();
        var envelope = key.Wrap(Passphrase, KdfParameters.Minimum);

        var altered = envelope with { Kdf = envelope.Kdf with { Iterations = envelope.Kdf.Iterations + 1 } };

        Assert.Equal("RepositoryKeyWrong", Assert.Throws<HotmessException>(() => RepositoryKey.Unlock(altered, Passphrase, Location)).ErrorId);
    }

    [Theory]
    [InlineData("Argon2id", 1024, 2, 1)]
    [InlineData("Argon2id", 19456, 1, 1)]
    [InlineData("Argon2id", 19456, 2, 0)]
    [InlineData("Argon2i", 65536, 3, 1)]
    [InlineData("Argon2id", 4 * 1024 * 1024, 3, 1)]
    [InlineData("Argon2id", 65536, 1000, 1)]
    public void Parameters_outside_the_limits_are_refused_before_any_work(string algorithm, int memory, int iterations, int lanes)
    {
        using var key = RepositoryKey.CreateNew();
        var envelope = key.Wrap(Passphrase, KdfParameters.Minimum) with { Kdf = new KdfParameters(algorithm, memory, iterations, lanes) };

        var failure = Assert.Throws<HotmessException>(() => RepositoryKey.Unlock(envelope, Passphrase, Location));

        Assert.Equal("RepositoryDescriptorInvalid", failure.ErrorId);
        Assert.Contains(Location, failure.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => key.Wrap(Passphrase, envelope.Kdf));
    }

    [Fact]
    public void A_short_new_passphrase_is_refused()
    {
        using var key = RepositoryKey.CreateNew();

        var failure = Assert.Throws<HotmessException>(() => key.Wrap(new Secret("short"), KdfParameters.Minimum));

        Assert.Equal("RepositoryPassphraseTooShort", failure.ErrorId);
    }

    [Fact]
    public void A_wrapped_key_is_new_salt_and_nonce_each_time_and_never_the_key_itself()
    {
        using var key = RepositoryKey.CreateNew();

        var first = key.Wrap(Passphrase, KdfParameters.Minimum);
        var second = key.Wrap(Passphrase, KdfParameters.Minimum);

        Assert.NotEqual(first.Salt, second.Salt);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.WrappedKey, second.WrappedKey);
        Assert.Equal(48, Convert.FromBase64String(first.WrappedKey).Length);
    }

    [Fact]
    public void The_passphrase_is_stretched_exactly_as_libsodium_stretches_it()
    {
        // libsodium 1.0.18's crypto_pwhash (Argon2id v1.3, t=2, 19 MiB, one lane) over the same passphrase and salt.
        var salt = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();

        var key = Argon2idKdf.DeriveKey(Passphrase, salt, KdfParameters.Minimum, 32);
        var managed = Argon2idKdf.DeriveKeyManaged(Passphrase, salt, KdfParameters.Minimum, 32);

        Assert.Equal("818259b6310026a8e0dbac5d2e6927abcfdb07b32258fac4f61b18b80f929085", Convert.ToHexString(key).ToLowerInvariant());
        Assert.Equal("818259b6310026a8e0dbac5d2e6927abcfdb07b32258fac4f61b18b80f929085", Convert.ToHexString(managed).ToLowerInvariant());
    }

    [Fact]
    public void The_default_parameters_are_at_least_the_minimum()
    {
        Assert.Null(KdfParameters.Default.Problem());
        Assert.True(KdfParameters.Default.MemoryKiB >= 64 * 1024);
        Assert.True(KdfParameters.Default.Iterations >= 3);
    }

    [Fact]
    public void Object_names_are_keyed_deterministic_lowercase_hex_and_reveal_nothing()
    {
        using var key = RepositoryKey.CreateNew();
        using var other = RepositoryKey.CreateNew();
        const string logical = "objects/ab/abcdef0123456789";

        var name = key.ObjectName(logical);

        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.Equal(name, key.ObjectName(logical));
        Assert.NotEqual(name, key.ObjectName(logical + "0"));
        Assert.NotEqual(name, other.ObjectName(logical));
        Assert.NotEqual(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(logical))).ToLowerInvariant(), name);
        Assert.DoesNotContain("abcdef", name, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disposed_key_is_not_used()
    {
        var key = RepositoryKey.CreateNew();
        key.Dispose();

        Assert.Throws<ObjectDisposedException>(() => key.ObjectName("x"));
        Assert.Throws<ObjectDisposedException>(() => key.OpenEncrypting(new MemoryStream(), "x"));
    }

    [Fact]
    public void A_stream_opened_before_the_key_was_disposed_still_reads()
    {
        var key = RepositoryKey.CreateNew();
        using var encrypting = key.OpenEncrypting(new MemoryStream(new byte[10]), "x");
        var ciphertext = new MemoryStream();
        encrypting.CopyTo(ciphertext);
        using var decrypting = key.OpenDecrypting(new MemoryStream(ciphertext.ToArray()), "x");

        key.Dispose();
        var plaintext = new MemoryStream();
        decrypting.CopyTo(plaintext);

        Assert.Equal(new byte[10], plaintext.ToArray());
    }
}
