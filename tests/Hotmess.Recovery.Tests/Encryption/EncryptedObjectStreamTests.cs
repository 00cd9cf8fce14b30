using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;

namespace Hotmess.Recovery.Tests.Encryption;

public sealed class EncryptedObjectStreamTests : IDisposable
{
    private const int Chunk = 64 * 1024;
    private const int Header = 45;
    private const int Tag = 16;
    private const string Name = "sets/database-20261201T120000Z/dump/toc.dat";

    private readonly RepositoryKey _key = RepositoryKey.CreateNew();

    public void Dispose() => _key.Dispose();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData((3 * Chunk) + 17)]
    [InlineData(4 * Chunk)]
    public void An_object_round_trips_and_takes_exactly_its_encrypted_length(int size)
    {
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var ciphertext = Encrypt(plaintext);

        Assert.Equal(RepositoryKey.EncryptedLength(size), ciphertext.Length);
        Assert.Equal(plaintext, Decrypt(ciphertext));
    }

    [Fact]
    public void A_non_seekable_source_read_in_odd_pieces_round_trips()
    {
        var plaintext = RandomNumberGenerator.GetBytes((2 * Chunk) + 3);
        using var encrypting = _key.OpenEncrypting(new ForwardOnly(new MemoryStream(plaintext)), Name);

        var ciphertext = ReadInPieces(encrypting, 7);
        using var decrypting = _key.OpenDecrypting(new ForwardOnly(new MemoryStream(ciphertext)), Name);

        Assert.Equal(plaintext, ReadInPieces(decrypting, 1000));
        Assert.Throws<NotSupportedException>(() => encrypting.Length);
    }

    [Fact]
    public void The_encrypting_stream_knows_its_length_when_the_plaintext_does()
    {
        var source = new MemoryStream(new byte[Chunk + 10]) { Position = 10 };

        using var encrypting = _key.OpenEncrypting(source, Name);

        Assert.Equal(RepositoryKey.EncryptedLength(Chunk), encrypting.Length);
        Assert.Equal(Header + Chunk + Tag, encrypting.Length);
    }

    [Fact]
    public void The_same_plaintext_encrypts_differently_each_time_and_shows_none_of_its_bytes()
    {
        var plaintext = new byte[3 * Chunk];
        Array.Fill(plaintext, (byte)'A');

        var first = Encrypt(plaintext);
        var second = Encrypt(plaintext);

        Assert.NotEqual(first, second);
        Assert.DoesNotContain("AAAAAAAA"u8.ToArray(), Windows(first, 8));
    }

    public static TheoryData<string, int> FlippedPositions => new()
    {
        { "magic", 0 },
        { "version", 5 },
        { "salt", 6 },
        { "salt end", 37 },
        { "nonce prefix", 38 },
        { "nonce prefix end", 44 },
        { "first chunk ciphertext", Header },
        { "first chunk tag", Header + Chunk },
        { "middle chunk ciphertext", Header + Chunk + Tag + 1234 },
        { "last chunk ciphertext", Header + (2 * (Chunk + Tag)) },
        { "last byte (last tag)", Header + (2 * (Chunk + Tag)) + 100 + Tag - 1 },
    };

    [Theory]
    [MemberData(nameof(FlippedPositions))]
    public void A_flipped_bit_anywhere_fails_the_read_naming_the_object(string where, int position)
    {
        var ciphertext = Encrypt(RandomNumberGenerator.GetBytes((2 * Chunk) + 100));
        Assert.Equal(Header + (2 * (Chunk + Tag)) + 100 + Tag, ciphertext.Length);

        ciphertext[position] ^= 0x01;

        AssertCorrupted(ciphertext, Name, where);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    [InlineData(Header)]
    [InlineData(Header + 8)]
    [InlineData(Header + Chunk + Tag)]
    [InlineData(Header + (2 * (Chunk + Tag)))]
    [InlineData(Header + (2 * (Chunk + Tag)) + 500)]
    public void An_object_cut_short_anywhere_fails_even_at_a_chunk_boundary(int keep)
    {
        var ciphertext = Encrypt(RandomNumberGenerator.GetBytes(3 * Chunk));

        AssertCorrupted(ciphertext[..keep], Name, $"cut to {keep} bytes");
    }

    [Fact]
    public void A_dropped_chunk_fails()
    {
        var chunks = Records(Encrypt(RandomNumberGenerator.GetBytes((3 * Chunk) + 5)));

        chunks.RemoveAt(2);

        AssertCorrupted(Join(chunks), Name, "chunk dropped");
    }

    [Fact]
    public void Reordered_chunks_fail()
    {
        var chunks = Records(Encrypt(RandomNumberGenerator.GetBytes((3 * Chunk) + 5)));

        (chunks[1], chunks[2]) = (chunks[2], chunks[1]);

        AssertCorrupted(Join(chunks), Name, "chunks reordered");
    }

    [Fact]
    public void A_chunk_appended_after_a_full_last_chunk_fails()
    {
        var chunks = Records(Encrypt(RandomNumberGenerator.GetBytes(2 * Chunk)));

        chunks.Add(chunks[^1]);

        AssertCorrupted(Join(chunks), Name, "chunk appended");
    }

    [Fact]
    public void Bytes_appended_to_an_object_fail()
    {
        var ciphertext = Encrypt(RandomNumberGenerator.GetBytes(Chunk + 5));

        AssertCorrupted([.. ciphertext, 0], Name, "one byte appended");
    }

    [Fact]
    public void An_object_stored_under_another_name_fails_naming_the_name_it_was_read_as()
    {
        var other = "sets/database-20261124T120000Z/dump/toc.dat";
        var ciphertext = Encrypt(RandomNumberGenerator.GetBytes(1000));

        AssertCorrupted(ciphertext, other, "swapped");
    }

    [Fact]
    public void The_header_of_one_object_on_the_chunks_of_another_fails()
    {
        var first = Encrypt(RandomNumberGenerator.GetBytes(1000));
        var second = Encrypt(RandomNumberGenerator.GetBytes(1000));

        AssertCorrupted([.. first[..Header], .. second[Header..]], Name, "spliced");
    }

    [Fact]
    public void An_object_of_another_repository_fails()
    {
        using var other = RepositoryKey.CreateNew();
        using var encrypting = other.OpenEncrypting(new MemoryStream(new byte[100]), Name);

        AssertCorrupted(ReadAll(encrypting), Name, "other key");
    }

    [Fact]
    public void A_multi_gigabyte_object_streams_through_in_constant_memory()
    {
        // 3 GiB, generated as it is read and checked as it comes out: nothing holds the object, and the streams'
        // allocations stay a sliver of its size (a buffered copy would allocate at least the whole of it).
        const long size = (3L << 30) + 12345;
        var before = GC.GetAllocatedBytesForCurrentThread();

        using var decrypting = _key.OpenDecrypting(_key.OpenEncrypting(new GeneratedStream(size), Name), Name);
        var checkedBytes = GeneratedStream.Verify(decrypting);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(size, checkedBytes);
        Assert.True(allocated < 64L << 20, $"{allocated:N0} bytes allocated to stream {size:N0}");
    }

    private void AssertCorrupted(byte[] ciphertext, string name, string because)
    {
        using var decrypting = _key.OpenDecrypting(new MemoryStream(ciphertext), name);

        var failure = Assert.Throws<HotmessException>(() => decrypting.CopyTo(Stream.Null));

        Assert.True(failure.ErrorId == "RepositoryObjectCorrupted", $"{because}: {failure.ErrorId}");
        Assert.Equal(FailureKind.InvalidData, failure.Kind);
        Assert.Equal(name, failure.Target);
        Assert.Contains(name, failure.Message, StringComparison.Ordinal);
    }

    private byte[] Encrypt(byte[] plaintext)
    {
        using var encrypting = _key.OpenEncrypting(new MemoryStream(plaintext), Name);
        return ReadAll(encrypting);
    }

    private byte[] Decrypt(byte[] ciphertext)
    {
        using var decrypting = _key.OpenDecrypting(new MemoryStream(ciphertext), Name);
        return ReadAll(decrypting);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static byte[] ReadInPieces(Stream stream, int piece)
    {
        using var buffer = new MemoryStream();
        var bytes = new byte[piece];
        int read;
        while ((read = stream.Read(bytes, 0, piece)) > 0)
        {
            buffer.Write(bytes, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The header followed by each chunk record (ciphertext and tag).</summary>
    private static List<byte[]> Records(byte[] ciphertext)
    {
        var records = new List<byte[]> { ciphertext[..Header] };
        for (var offset = Header; offset < ciphertext.Length; offset += Chunk + Tag)
        {
            records.Add(ciphertext[offset..Math.Min(offset + Chunk + Tag, ciphertext.Length)]);
        }

        return records;
    }

    private static byte[] Join(List<byte[]> records) => records.SelectMany(r => r).ToArray();

    private static IEnumerable<byte[]> Windows(byte[] data, int width)
    {
        for (var i = 0; i + width <= data.Length; i += width)
        {
            yield return data[i..(i + width)];
        }
    }

    private sealed class ForwardOnly(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 5000));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
