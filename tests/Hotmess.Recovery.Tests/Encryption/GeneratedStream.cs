using System.Buffers.Binary;

namespace Hotmess.Recovery.Tests.Encryption;

/// <summary>
/// A deterministic stream of any length, made as it is read: one random mebibyte repeated, each repetition stamped
/// with its index, so bytes out of place are told apart. Reads complete synchronously, on the reading thread.
/// </summary>
internal sealed class GeneratedStream(long length) : Stream
{
    private const int BlockSize = 1 << 20;
    private static readonly byte[] Block = MakeBlock();
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = (int)Math.Min(buffer.Length, length - _position);
        Fill(_position, buffer[..count]);
        _position += count;
        return count;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <summary>Reads <paramref name="stream"/> to its end, comparing every byte with the generated ones; returns the count.</summary>
    public static long Verify(Stream stream)
    {
        var actual = new byte[200_000];
        var expected = new byte[actual.Length];
        long position = 0;
        int read;
        while ((read = stream.Read(actual, 0, actual.Length)) > 0)
        {
            Fill(position, expected.AsSpan(0, read));
            if (!actual.AsSpan(0, read).SequenceEqual(expected.AsSpan(0, read)))
            {
                throw new InvalidDataException($"The bytes at {position:N0} differ from the generated ones.");
            }

            position += read;
        }

        return position;
    }

    private static void Fill(long position, Span<byte> destination)
    {
        Span<byte> stamp = stackalloc byte[8];
        while (!destination.IsEmpty)
        {
            var index = position / BlockSize;
            var offset = (int)(position % BlockSize);
            var count = Math.Min(destination.Length, BlockSize - offset);
            Block.AsSpan(offset, count).CopyTo(destination);
            // The block's first 8 bytes are its index.
            BinaryPrimitives.WriteInt64BigEndian(stamp, index);
            for (var i = offset; i < 8 && i - offset < count; i++)
            {
                destination[i - offset] = stamp[i];
            }

            destination = destination[count..];
            position += count;
        }
    }

    private static byte[] MakeBlock()
    {
        var block = new byte[BlockSize];
        new Random(8).NextBytes(block);
        return block;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
