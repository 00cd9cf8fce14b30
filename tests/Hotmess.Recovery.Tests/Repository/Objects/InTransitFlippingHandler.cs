namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>
/// Changes one byte in the middle of every upload body whose URL contains <paramref name="pathPart"/>, after the
/// client has taken the body's digest: what a faulty link, proxy or NIC would do to the bytes on the way.
/// </summary>
internal sealed class InTransitFlippingHandler(string pathPart) : DelegatingHandler(new SocketsHttpHandler())
{
    private int _flipped;

    public int Flipped => _flipped;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Put && request.Content is { } content && request.RequestUri!.AbsolutePath.Contains(pathPart, StringComparison.Ordinal))
        {
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
            if (bytes.Length > 0)
            {
                bytes[bytes.Length / 2] ^= 0x01;
                Interlocked.Increment(ref _flipped);
                var flipped = new ByteArrayContent(bytes);
                foreach (var header in content.Headers)
                {
                    flipped.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                request.Content = flipped;
            }
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
