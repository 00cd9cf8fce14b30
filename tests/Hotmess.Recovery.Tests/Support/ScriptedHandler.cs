using System.Net;

namespace Hotmess.Recovery.Tests.Support;

/// <summary>
/// Stands in front of a fake service: answers the first requests as scripted (a refused connection, a status with
/// its headers) and passes the rest on to the fake, noting when each request left on the given clock.
/// </summary>
public sealed class ScriptedHandler(TimeProvider time, params Func<HttpRequestMessage, HttpResponseMessage>[] script)
    : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new(script);
    private readonly List<(string Request, DateTimeOffset At)> _sent = [];

    public ScriptedHandler(params Func<HttpRequestMessage, HttpResponseMessage>[] script) : this(TimeProvider.System, script)
    {
    }

    /// <summary>Every request seen, scripted or passed on, as "METHOD path".</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_sent)
            {
                return _sent.Select(s => s.Request).ToList();
            }
        }
    }

    /// <summary>When each request left, on the handler's clock.</summary>
    public IReadOnlyList<DateTimeOffset> SentAt
    {
        get
        {
            lock (_sent)
            {
                return _sent.Select(s => s.At).ToList();
            }
        }
    }

    /// <summary>Sees every request as it leaves, scripted or not.</summary>
    public Action<HttpRequestMessage>? OnSend { get; set; }

    public HttpClient Client() => new(this) { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>A connection that cannot be opened: the request never leaves.</summary>
    public static HttpResponseMessage Refused(HttpRequestMessage request) =>
        throw new HttpRequestException(HttpRequestError.ConnectionError, $"Connection refused ({request.RequestUri?.Authority})");

    /// <summary>An answer with <paramref name="status"/> and, when given, <c>Retry-After</c> in seconds.</summary>
    public static Func<HttpRequestMessage, HttpResponseMessage> Answer(HttpStatusCode status, int? retryAfterSeconds = null, string body = "{}") =>
        request =>
        {
            var response = new HttpResponseMessage(status) { RequestMessage = request, Content = new StringContent(body) };
            if (retryAfterSeconds is { } seconds)
            {
                response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(seconds));
            }

            return response;
        };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Func<HttpRequestMessage, HttpResponseMessage>? scripted;
        lock (_sent)
        {
            _sent.Add(($"{request.Method} {request.RequestUri!.AbsolutePath}", time.GetUtcNow()));
            _script.TryDequeue(out scripted);
        }

        OnSend?.Invoke(request);

        return scripted is null ? await base.SendAsync(request, cancellationToken).ConfigureAwait(false) : scripted(request);
    }
}
