using System.Security.Cryptography;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Storage;

/// <summary>
/// A blob of the content store as an upload reads it, checked against the manifest on the way: the bytes are
/// hashed as they pass, and the read that would hand over the last of them fails instead when the size or the
/// SHA-256 is not the recorded one. The request body then ends short of its Content-Length, so Storage never
/// receives a complete upload of damaged content; nothing reads the blob a second time.
/// </summary>
internal sealed class VerifiedContentStream : ForwardReadStream
{
    private readonly string _name;
    private readonly string _expectedSha256;
    private readonly long _expectedLength;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _read;
    private bool _verified;

    /// <param name="inner">The blob, read from its start; this stream owns it.</param>
    /// <param name="name">The object, bucket/key, that errors name.</param>
    public VerifiedContentStream(Stream inner, string name, string expectedSha256, long expectedLength)
        : base(inner)
    {
        _name = name;
        _expectedSha256 = expectedSha256;
        _expectedLength = expectedLength;
    }

    /// <summary>Set once a read found the content damaged; the upload must not be attempted again.</summary>
    public HotmessException? Mismatch { get; private set; }

    public override long Length => _expectedLength;

    public override long Position { get => _read; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Account(buffer.Span[..read]);
        return read;
    }

    public override int Read(Span<byte> buffer)
    {
        var read = Inner.Read(buffer);
        Account(buffer[..read]);
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash.Dispose();
        await Inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Account(ReadOnlySpan<byte> chunk)
    {
        if (_verified)
        {
            if (chunk.Length > 0)
            {
                throw Fail($"it holds more than the recorded {_expectedLength} bytes");
            }

            return;
        }

        _read += chunk.Length;
        if (_read > _expectedLength)
        {
            throw Fail($"it holds more than the recorded {_expectedLength} bytes");
        }

        _hash.AppendData(chunk);
        if (_read == _expectedLength)
        {
            _verified = true;
            var actual = Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
            if (actual != _expectedSha256)
            {
                throw Fail($"its SHA-256 is {actual}, not the recorded {_expectedSha256}");
            }
        }
        else if (chunk.Length == 0)
        {
            throw Fail($"it ends after {_read} of the recorded {_expectedLength} bytes");
        }
    }

    private HotmessException Fail(string why)
    {
        Mismatch = new HotmessException("StorageObjectCorrupted", FailureKind.InvalidData,
            $"The stored content of '{_name}' does not match the set: {why}. Its upload was abandoned before it completed. Run Test-HotmessBackup on the set.",
            _name);
        return Mismatch;
    }
}
