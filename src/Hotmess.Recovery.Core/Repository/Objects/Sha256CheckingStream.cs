using System.Security.Cryptography;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// Reads another stream through, hashing it, and fails the read that ends it when the bytes are not the expected
/// size and SHA-256. An upload reading through it never completes with wrong bytes (an object store never shows a
/// cut upload), and a read-back reading through it to the end has compared every byte.
/// </summary>
internal sealed class Sha256CheckingStream : ForwardReadStream
{
    private readonly string _expectedSha256;
    private readonly long _expectedLength;
    private readonly Func<string, HotmessException> _failure;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _checked;

    /// <param name="failure">Makes the error from what is wrong, e.g. "its SHA-256 is …".</param>
    public Sha256CheckingStream(Stream inner, string expectedSha256, long expectedLength, Func<string, HotmessException> failure)
        : base(inner)
    {
        _expectedSha256 = expectedSha256;
        _expectedLength = expectedLength;
        _failure = failure;
    }

    /// <summary>
    /// Seekable when the stream it reads is, only so that a reader can learn the length (an encrypting stream tells
    /// its own length then, which a store's upload needs); it is read forward only.
    /// </summary>
    public override bool CanSeek => Inner.CanSeek;

    public override long Length => _expectedLength;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read], buffer.Length == 0);
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        var read = Inner.Read(buffer);
        Account(buffer[..read], buffer.Length == 0);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <summary>Reads what is left to the end, so the comparison is made; for a read-back that only checks.</summary>
    public async Task ReadToEndAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (await ReadAsync(buffer, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Account(ReadOnlySpan<byte> chunk, bool emptyBuffer)
    {
        if (emptyBuffer)
        {
            return;
        }

        if (_checked)
        {
            if (chunk.Length > 0)
            {
                throw _failure($"it holds more than the recorded {_expectedLength} bytes");
            }

            return;
        }

        _read += chunk.Length;
        if (_read > _expectedLength)
        {
            throw _failure($"it holds more than the recorded {_expectedLength} bytes");
        }

        _hash.AppendData(chunk);
        if (_read == _expectedLength)
        {
            _checked = true;
            var actual = Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
            if (actual != _expectedSha256)
            {
                throw _failure($"its SHA-256 is {actual}, not the recorded {_expectedSha256}");
            }
        }
        else if (chunk.Length == 0)
        {
            throw _failure($"it ends after {_read} of the recorded {_expectedLength} bytes");
        }
    }
}
