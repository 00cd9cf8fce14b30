using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Storage;

/// <summary>
/// The body of an upload, watched while HTTP takes it: each read re-arms the attempt's deadline for another
/// <c>idle</c> period, and the end of the body switches it to the wait for the response headers. So a large upload
/// on a slow link lives as long as bytes move, and a stalled one fails after the idle period.
/// </summary>
internal sealed class SendProgressStream(Stream inner, long length, AttemptDeadline deadline, TimeSpan idle, TimeSpan response) : ForwardReadStream(inner)
{
    private long _sent;

    public override long Length => length;

    public override long Position { get => _sent; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _sent += read;
        if (read == 0 || _sent >= length)
        {
            deadline.Restart(response, $"no response within {response.TotalSeconds:0.#}s after the last of {_sent} bytes");
        }
        else
        {
            deadline.Restart(idle, $"no bytes sent for {idle.TotalSeconds:0.#}s after {_sent} of {length} bytes");
        }

        return read;
    }
}
