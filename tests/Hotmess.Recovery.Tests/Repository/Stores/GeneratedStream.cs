using System.Security.Cryptography;

namespace Hotmess.Recovery.Tests.Repository.Stores;

/// <summary>
/// A forward-only stream of deterministic pseudo-random bytes of a given length, made as it is read (nothing held),
/// that can fail after a number of bytes like a cut connection, and report the live memory of the process as it goes.
/// </summary>
internal sealed class GeneratedStream(long length, int seed, long failAfter = long.MaxValue, long sampleEvery = 0) : Stream
{
    private readonly Random _random = new(seed);
    private long _position;
    private long _nextSample;

    /// <summary>The largest live managed heap seen at the samples (after a full collection), in bytes.</summary>
    public long PeakLiveBytes { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public static byte[] Sha256Of(long length, int seed)
    {
        using var stream = new GeneratedStream(length, seed);
        return SHA256.HashData(stream);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_position >= failAfter)
        {
            throw new IOException("The source stream was cut.");
        }

        var n = (int)Math.Min(buffer.Length, Math.Min(length, failAfter) - _position);
        if (n <= 0)
        {
            return 0;
        }

        _random.NextBytes(buffer[..n]);
        _position += n;
        if (sampleEvery > 0 && _position - _nextSample >= sampleEvery)
        {
            _nextSample = _position;
            PeakLiveBytes = Math.Max(PeakLiveBytes, GC.GetTotalMemory(forceFullCollection: true));
        }

        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
