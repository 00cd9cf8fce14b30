using System.Buffers;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// The whole of a small object read into a buffer from the shared pool, as a seekable stream that returns the buffer
/// when disposed. The Azure SDK sends a seekable body under its single-upload size as one Put Blob; an unseekable one
/// (an encrypting stream) it stages as a block and commits with a second request, whatever its size.
/// </summary>
internal sealed class PooledContent : MemoryStream
{
    private byte[]? _buffer;

    private PooledContent(byte[] buffer, int length)
        : base(buffer, 0, length, writable: false, publiclyVisible: false)
    {
        _buffer = buffer;
    }

    /// <summary>
    /// The rest of <paramref name="content"/> in memory when it is an unseekable stream that knows its length and that
    /// length is under <paramref name="limit"/>; else null, and nothing was read. Reading to the end runs every check
    /// the stream makes (a source that fails its hash fails here, before any request).
    /// </summary>
    public static async Task<PooledContent?> ReadSmallAsync(Stream content, int limit, CancellationToken cancellationToken)
    {
        if (content.CanSeek || KnownLength(content) is not { } length || length >= limit)
        {
            return null;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)length + 1);
        try
        {
            // One byte more than announced is asked for, so a stream longer than its length is caught, not cut.
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, (int)length + 1), (int)length + 1, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (filled != length)
            {
                throw new IOException($"The content to upload holds {(filled > length ? "more" : "fewer")} bytes than the {length} its stream announced.");
            }

            return new PooledContent(buffer, filled);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long? KnownLength(Stream content)
    {
        try
        {
            return content.Length;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }
}
