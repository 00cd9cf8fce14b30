using System.Security.Cryptography;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// Reads an object in <see cref="ChunkedFormat"/> and yields its plaintext one authenticated chunk at a time; a chunk
/// that does not authenticate ends the read with <c>RepositoryObjectCorrupted</c> before any of its bytes are given
/// out. It reads one byte past each chunk, so it knows the last chunk by the end of the stream, never by a length
/// an attacker could write. Bytes of earlier chunks have been given out by then: a caller that must not act on a
/// damaged object reads it to the end first (the repository fetches into its cache, then restores).
/// </summary>
internal sealed class DecryptingStream : ForwardReadStream
{
    private const int RecordSize = ChunkedFormat.ChunkSize + ChunkedFormat.TagSize;

    private readonly byte[] _dataKey;
    private readonly string _logicalName;
    private readonly byte[] _input = new byte[RecordSize + 1];
    private readonly byte[] _plain = new byte[ChunkedFormat.ChunkSize];
    private byte[]? _header;
    private byte[]? _associatedData;
    private AesGcm? _cipher;
    private int _carried;
    private int _plainStart;
    private int _plainEnd;
    private uint _counter;
    private bool _finished;
    private long _position;

    public DecryptingStream(Stream ciphertext, byte[] dataKey, string logicalName)
        : base(ciphertext)
    {
        // Its own copy: the key it came from may be disposed while this stream is still being read.
        _dataKey = (byte[])dataKey.Clone();
        _logicalName = logicalName;
    }

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_plainStart == _plainEnd)
        {
            if (_finished)
            {
                return 0;
            }

            if (_cipher is null)
            {
                await ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            }

            await DecryptNextChunkAsync(cancellationToken).ConfigureAwait(false);
        }

        var count = Math.Min(buffer.Length, _plainEnd - _plainStart);
        _plain.AsMemory(_plainStart, count).CopyTo(buffer);
        _plainStart += count;
        _position += count;
        return count;
    }

    private async Task ReadHeaderAsync(CancellationToken cancellationToken)
    {
        var header = new byte[ChunkedFormat.HeaderSize];
        var filled = await FillAsync(header, 0, cancellationToken).ConfigureAwait(false);
        if (filled < header.Length)
        {
            throw ChunkedFormat.Corrupted(_logicalName, $"it is {filled} bytes long, shorter than the {header.Length}-byte header of an encrypted object");
        }

        if (!header.AsSpan(0, ChunkedFormat.Magic.Length).SequenceEqual(ChunkedFormat.Magic))
        {
            throw ChunkedFormat.Corrupted(_logicalName, "it does not start with the header of an encrypted object");
        }

        if (header[ChunkedFormat.Magic.Length] != ChunkedFormat.Version)
        {
            throw ChunkedFormat.Corrupted(_logicalName, $"its header names format {header[ChunkedFormat.Magic.Length]}, and this module writes and reads format {ChunkedFormat.Version}");
        }

        _header = header;
        _associatedData = ChunkedFormat.AssociatedData(header, _logicalName);
        _cipher = ChunkedFormat.ObjectCipher(_dataKey, header);
    }

    private async Task DecryptNextChunkAsync(CancellationToken cancellationToken)
    {
        var filled = await FillAsync(_input, _carried, cancellationToken).ConfigureAwait(false);
        var last = filled <= RecordSize;
        var record = last ? filled : RecordSize;
        if (record < ChunkedFormat.TagSize)
        {
            throw ChunkedFormat.Corrupted(_logicalName, $"it ends inside chunk {_counter}, before the chunk's tag");
        }

        if (!last && _counter == uint.MaxValue)
        {
            throw ChunkedFormat.Corrupted(_logicalName, "it has more chunks than the format allows");
        }

        var length = record - ChunkedFormat.TagSize;
        Span<byte> nonce = stackalloc byte[ChunkedFormat.NonceSize];
        ChunkedFormat.Nonce(nonce, _header, _counter, last);
        try
        {
            _cipher!.Decrypt(nonce, _input.AsSpan(0, length), _input.AsSpan(length, ChunkedFormat.TagSize),
                _plain.AsSpan(0, length), _associatedData);
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw ChunkedFormat.Corrupted(_logicalName,
                $"chunk {_counter}{(last ? " (the last)" : string.Empty)} fails its tag: the object was altered, cut short, had chunks moved, dropped or added, or belongs under another name",
                ex);
        }

        _plainStart = 0;
        _plainEnd = length;
        if (last)
        {
            _finished = true;
        }
        else
        {
            _input[0] = _input[RecordSize];
            _carried = 1;
            _counter++;
        }
    }

    private async Task<int> FillAsync(byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        while (filled < buffer.Length)
        {
            var read = await Inner.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return filled;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cipher?.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
            CryptographicOperations.ZeroMemory(_dataKey);
        }

        base.Dispose(disposing);
    }
}
