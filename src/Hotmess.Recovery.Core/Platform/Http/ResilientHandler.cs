namespace Hotmess.Recovery.Platform.Http;

/// <summary>
/// Puts a client library that sends through its own <see cref="HttpClient"/> (Stripe.net) on the shared pipeline:
/// each request it sends is copied for every attempt and sent through <paramref name="http"/>. A request is
/// idempotent when its method is (GET, HEAD, PUT, DELETE) or when it carries an <c>Idempotency-Key</c>; with
/// <paramref name="addIdempotencyKey"/> every POST gets one first, for APIs that honour it (Stripe).
/// </summary>
public sealed class ResilientHandler(HttpResilience resilience, HttpClient http, bool addIdempotencyKey) : HttpMessageHandler
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (addIdempotencyKey && request.Method == HttpMethod.Post && !request.Headers.Contains(IdempotencyKeyHeader))
        {
            request.Headers.Add(IdempotencyKeyHeader, Guid.NewGuid().ToString());
        }

        var body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var rule = IsIdempotent(request) ? RetryRule.Idempotent : RetryRule.OnlyWhenNotAccepted;
        return await resilience.SendAsync(http, () => Copy(request, body), rule,
            $"{request.Method} {request.RequestUri?.AbsolutePath}", cancellationToken).ConfigureAwait(false);
    }

    private static bool IsIdempotent(HttpRequestMessage request) =>
        request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Method == HttpMethod.Put
        || request.Method == HttpMethod.Delete || request.Headers.Contains(IdempotencyKeyHeader);

    private static HttpRequestMessage Copy(HttpRequestMessage request, byte[]? body)
    {
        var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version, VersionPolicy = request.VersionPolicy };
        foreach (var (name, values) in request.Headers)
        {
            copy.Headers.TryAddWithoutValidation(name, values);
        }

        if (body is not null)
        {
            copy.Content = new ByteArrayContent(body);
            foreach (var (name, values) in request.Content!.Headers)
            {
                copy.Content.Headers.TryAddWithoutValidation(name, values);
            }
        }

        return copy;
    }
}
