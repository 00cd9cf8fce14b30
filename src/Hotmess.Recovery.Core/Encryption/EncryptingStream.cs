using System.Security.Cryptography;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Encryption;

/// <summary>
/// Reads a plaintext stream and yields its encryption in <see cref="ChunkedFormat"/>, one chunk at a time: memory
/// stays at two chunks whatever the size. It reads one byte ahead so it knows which chunk is the last.
/// </summary>
internal sealed class EncryptingStream : ForwardReadStream
{
    private readonly AesGcm _cipher;
    private readonly byte[] _header;
    private readonly byte[] _associatedData;
    private readonly byte[] _plain = new byte[ChunkedFormat.ChunkSize + 1];
    private readonly byte[] _output = new byte[ChunkedFormat.ChunkSize + ChunkedFormat.TagSize];
    private readonly long? _length;
    private int _carried;
    private int _outputStart;
    private int _outputEnd;
    private uint _counter;
    private bool _finished;
    private bool _headerSent;
    private long _position;

    public EncryptingStream(Stream plaintext, byte[] dataKey, string logicalName)
        : base(plaintext)
    {
        _header = ChunkedFormat.NewHeader();
        _associatedData = ChunkedFormat.AssociatedData(_header, logicalName);
        _cipher = ChunkedFormat.ObjectCipher(dataKey, _header);
        _length = plaintext.CanSeek ? ChunkedFormat.EncryptedLength(plaintext.Length - plaintext.Position) : null;
    }

    /// <summary>Known when the plaintext could tell its length; the stream still cannot seek.</summary>
    public override long Length => _length ?? throw new NotSupportedException("The plaintext stream does not know its length.");

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

        if (_outputStart == _outputEnd)
        {
            if (!_headerSent)
            {
                _header.CopyTo(_output, 0);
                _outputStart = 0;
                _outputEnd = _header.Length;
                _headerSent = true;
            }
            else if (_finished)
            {
                return 0;
            }
            else
            {
                await EncryptNextChunkAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var count = Math.Min(buffer.Length, _outputEnd - _outputStart);
        _output.AsMemory(_outputStart, count).CopyTo(buffer);
        _outputStart += count;
        _position += count;
        return count;
    }

    private async Task EncryptNextChunkAsync(CancellationToken cancellationToken)
    {
        var filled = _carried;
        while (filled < _plain.Length)
        {
            var read = await Inner.ReadAsync(_plain.AsMemory(filled), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        var last = filled <= ChunkedFormat.ChunkSize;
        var length = last ? filled : ChunkedFormat.ChunkSize;
        if (_counter == uint.MaxValue && !last)
        {
            throw new InvalidOperationException("An object cannot exceed 2^32 chunks (256 TiB).");
        }

        Span<byte> nonce = stackalloc byte[ChunkedFormat.NonceSize];
        ChunkedFormat.Nonce(nonce, _header, _counter, last);
        _cipher.Encrypt(nonce, _plain.AsSpan(0, length), _output.AsSpan(0, length),
            _output.AsSpan(length, ChunkedFormat.TagSize), _associatedData);
        _outputStart = 0;
        _outputEnd = length + ChunkedFormat.TagSize;
        CryptographicOperations.ZeroMemory(_plain.AsSpan(0, length));
        if (last)
        {
            _finished = true;
            _carried = 0;
        }
        else
        {
            // The byte read ahead starts the next chunk.
            _plain[0] = _plain[ChunkedFormat.ChunkSize];
            _carried = 1;
            _counter++;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _cipher.Dispose();
            CryptographicOperations.ZeroMemory(_plain);
        }

        base.Dispose(disposing);
    }
}
