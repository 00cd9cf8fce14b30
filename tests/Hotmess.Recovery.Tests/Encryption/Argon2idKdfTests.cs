using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;

namespace Hotmess.Recovery.Tests.Encryption;

public sealed class Argon2idKdfTests
{
    private static readonly Secret Passphrase = new("correct horse battery staple");
    private static readonly byte[] Salt = Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void Libsodium_stretches_the_default_parameters_to_the_key_the_managed_implementation_gives()
    {
        var native = NativeArgon2id.TryDeriveKey(Encoding.UTF8.GetBytes(Passphrase.Reveal()), Salt, KdfParameters.Default, 32);

        // Null would mean libsodium did not load beside the engine, and every unlock pays the managed cost.
        Assert.NotNull(native);
        Assert.Equal(Argon2idKdf.DeriveKeyManaged(Passphrase, Salt, KdfParameters.Default, 32), native);
        Assert.Equal(native, Argon2idKdf.DeriveKey(Passphrase, Salt, KdfParameters.Default, 32));
    }

    [Fact]
    public void More_than_one_lane_is_left_to_the_managed_implementation()
    {
        var lanes = KdfParameters.Minimum with { Iterations = 3, Parallelism = 4 };

        Assert.False(NativeArgon2id.Supports(Salt, lanes));
        Assert.Null(NativeArgon2id.TryDeriveKey(Encoding.UTF8.GetBytes(Passphrase.Reveal()), Salt, lanes, 32));
        var key = Argon2idKdf.DeriveKey(Passphrase, Salt, lanes, 32);
        Assert.Equal(Argon2idKdf.DeriveKeyManaged(Passphrase, Salt, lanes, 32), key);
        Assert.NotEqual(Argon2idKdf.DeriveKey(Passphrase, Salt, lanes with { Parallelism = 1 }, 32), key);
    }

    [Fact]
    public void Fewer_than_three_passes_are_left_to_the_managed_implementation()
    {
        Assert.Equal(2, KdfParameters.Minimum.Iterations);

        Assert.False(NativeArgon2id.Supports(Salt, KdfParameters.Minimum));
        Assert.Null(NativeArgon2id.TryDeriveKey(Encoding.UTF8.GetBytes(Passphrase.Reveal()), Salt, KdfParameters.Minimum, 32));
        Assert.Equal(Argon2idKdf.DeriveKeyManaged(Passphrase, Salt, KdfParameters.Minimum, 32),
            Argon2idKdf.DeriveKey(Passphrase, Salt, KdfParameters.Minimum, 32));
    }

    [Fact]
    public void A_salt_longer_than_libsodiums_is_left_to_the_managed_implementation()
    {
        var salt = Enumerable.Range(0, 24).Select(i => (byte)i).ToArray();
        var parameters = KdfParameters.Minimum with { Iterations = 3 };

        Assert.True(NativeArgon2id.Supports(Salt, parameters));
        Assert.False(NativeArgon2id.Supports(salt, parameters));
        Assert.Equal(Argon2idKdf.DeriveKeyManaged(Passphrase, salt, parameters, 32),
            Argon2idKdf.DeriveKey(Passphrase, salt, parameters, 32));
    }
}
