using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// Vercel REST client for one project (api-contracts §3). Every call carries the bearer token and, when set,
/// <c>teamId</c>. Errors arrive as <see cref="HotmessException"/>: 401/403 → <c>VercelAuthenticationFailed</c>,
/// 404/410 → a <c>…NotFound</c> id naming the item, 400/422 → <c>VercelRequestRejected</c>, 409 →
/// <c>VercelConflict</c>, 429 (after bounded retries honouring <c>Retry-After</c>, <c>X-RateLimit-Reset</c> or
/// the body's <c>error.limit</c>) → <c>VercelRateLimited</c>, 5xx → <c>VercelServiceFailed</c>, no answer →
/// <c>VercelConnectionFailed</c>. Messages never carry the token or a variable's value.
/// </summary>
/// <remarks>Endpoints live in the partial files <c>VercelClient.Deployments.cs</c> and <c>VercelClient.Environment.cs</c>.</remarks>
public sealed partial class VercelClient : IDisposable
{
    private static readonly TimeSpan FirstPollDelay = TimeSpan.FromMilliseconds(250);

    private readonly VercelSettings _settings;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly IOperationLog _log;
    private readonly TimeProvider _time;

    /// <param name="settings">Where and as whom to call; see <see cref="VercelSettings.Resolve"/>.</param>
    /// <param name="log">Receives retry warnings and polling progress; nothing when null.</param>
    /// <param name="httpClient">A shared client (not disposed here); a new one when null.</param>
    /// <param name="time">Clock for rate-limit windows and polling; the system clock when null.</param>
    public VercelClient(VercelSettings settings, IOperationLog? log = null, HttpClient? httpClient = null, TimeProvider? time = null)
    {
        _settings = settings;
        _log = log ?? NullOperationLog.Instance;
        _time = time ?? TimeProvider.System;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? new HttpClient { Timeout = settings.RequestTimeout };
    }

    public VercelSettings Settings => _settings;

    /// <summary>The longest pause between two status polls.</summary>
    public TimeSpan MaxPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    private string ProjectPath => Uri.EscapeDataString(_settings.ProjectId);

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>What a call is about, for its error messages and ids.</summary>
    private readonly record struct Call(string Operation, string What, string NotFoundId, object Target);

    private Call ProjectCall(string operation) =>
        new(operation, $"Vercel project '{_settings.ProjectId}'", "VercelProjectNotFound", _settings.ProjectId);

    private async Task<T> GetJsonAsync<T>(string path, IEnumerable<KeyValuePair<string, string?>> query, Call call, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, query, null, call, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<T>(response, call, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, Call call, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("The body is empty.");
        }
        catch (JsonException ex)
        {
            throw new HotmessException("VercelResponseInvalid", FailureKind.InvalidData,
                $"Vercel answered {call.Operation} with a body that is not the expected JSON: {ex.Message}", call.Target, ex);
        }
    }

    /// <summary>Sends one request, retrying 429 and 503 within the configured bounds; returns only a 2xx response.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string path,
        IEnumerable<KeyValuePair<string, string?>> query,
        object? body,
        Call call,
        CancellationToken cancellationToken)
    {
        var uri = BuildUri(path, query);
        var payload = body is null ? null : JsonSerializer.Serialize(body, Json.Options);
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _settings.Token.Reveal());
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
            if (payload is not null)
            {
                request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new HotmessException("VercelConnectionFailed", FailureKind.ConnectionFailed,
                    $"Cannot reach the Vercel API at {_settings.ApiUrl} while {call.Operation}: {ex.Message}", call.Target, ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HotmessException("VercelRequestTimedOut", FailureKind.Timeout,
                    $"The Vercel API did not answer within {_settings.RequestTimeout.TotalSeconds:0} s while {call.Operation}.", call.Target, ex);
            }

            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
                var status = (int)response.StatusCode;
                if (status is 429 or 503 && attempt < _settings.MaxRateLimitRetries)
                {
                    var delay = RetryDelay(response, error, attempt);
                    if (delay <= _settings.MaxRetryDelay)
                    {
                        _log.Warning($"Vercel answered {status} ({error?.Code ?? "no code"}) while {call.Operation}; retrying in {delay.TotalSeconds:0.#} s (retry {attempt + 1} of {_settings.MaxRateLimitRetries}).");
                        await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                }

                throw ErrorFor(response, error, call, attempt);
            }
        }
    }

    private Uri BuildUri(string path, IEnumerable<KeyValuePair<string, string?>> query)
    {
        var builder = new StringBuilder(_settings.ApiUrl.GetLeftPart(UriPartial.Path).TrimEnd('/')).Append(path);
        var separator = '?';
        var parameters = query.Where(p => p.Value is not null).ToList();
        if (!string.IsNullOrEmpty(_settings.TeamId))
        {
            parameters.Add(new("teamId", _settings.TeamId));
        }

        foreach (var (name, value) in parameters)
        {
            builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value!));
            separator = '&';
        }

        return new Uri(builder.ToString());
    }

    private static async Task<ErrorWire?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            var envelope = JsonSerializer.Deserialize<ErrorEnvelopeWire>(text, Json.Options);
            return envelope?.Error ?? envelope?.Err;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// How long to wait before retrying a 429/503: <c>Retry-After</c> (seconds or date), else
    /// <c>X-RateLimit-Reset</c> (unix seconds), else the body's <c>limit.resetMs</c>/<c>limit.reset</c>,
    /// else a short growing pause.
    /// </summary>
    private TimeSpan RetryDelay(HttpResponseMessage response, ErrorWire? error, int attempt)
    {
        // Vercel's X-RateLimit-Reset is a unix time, not a number of seconds to wait.
        var delay = PlatformHttp.RetryAfter(response) ?? (ResetTime(response, error) is { } reset ? reset - _time.GetUtcNow() : null);
        var fallback = TimeSpan.FromMilliseconds(250 * (attempt + 1));
        return delay is null ? fallback : delay.Value < TimeSpan.Zero ? TimeSpan.Zero : delay.Value;
    }

    private static DateTimeOffset? ResetTime(HttpResponseMessage response, ErrorWire? error)
    {
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values) && long.TryParse(values.FirstOrDefault(), out var seconds))
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        if (error?.Limit?.ResetMs is { } resetMs)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(resetMs);
        }

        return error?.Limit?.Reset is { } reset ? DateTimeOffset.FromUnixTimeSeconds(reset) : null;
    }

    private HotmessException ErrorFor(HttpResponseMessage response, ErrorWire? error, Call call, int retries)
    {
        var status = (int)response.StatusCode;
        var detail = $"{status} {error?.Code ?? response.ReasonPhrase ?? response.StatusCode.ToString()}: {error?.Message ?? "no message"}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new HotmessException("VercelAuthenticationFailed", FailureKind.AuthenticationFailed,
                $"Vercel refused the token while {call.Operation} ({detail}). Check VERCEL_TOKEN and, for a team project, VERCEL_TEAM_ID.", call.Target),
            HttpStatusCode.NotFound or HttpStatusCode.Gone => new HotmessException(call.NotFoundId, FailureKind.NotFound,
                $"{call.What} was not found while {call.Operation} ({detail}).", call.Target),
            HttpStatusCode.TooManyRequests => new HotmessException("VercelRateLimited", FailureKind.RateLimited,
                $"Vercel rate limit reached while {call.Operation} and still in force after {retries} retries ({detail})." +
                (ResetTime(response, error) is { } reset ? $" The limit resets at {reset.UtcDateTime:u}." : ""), call.Target),
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => new HotmessException("VercelRequestRejected", FailureKind.InvalidArgument,
                $"Vercel rejected the request while {call.Operation} ({detail}).", call.Target),
            HttpStatusCode.Conflict => new HotmessException("VercelConflict", FailureKind.InvalidOperation,
                $"Vercel reported a conflict while {call.Operation} ({detail}).", call.Target),
            HttpStatusCode.PaymentRequired => new HotmessException("VercelPlanLimit", FailureKind.PermissionDenied,
                $"The Vercel plan does not allow {call.Operation} ({detail}).", call.Target),
            _ => new HotmessException("VercelServiceFailed", FailureKind.RemoteServiceFailed,
                $"Vercel failed while {call.Operation} ({detail}).", call.Target),
        };
    }

    /// <summary>The next pause of a status poll: grows from 250 ms to <see cref="MaxPollInterval"/>.</summary>
    private TimeSpan NextPollDelay(TimeSpan previous) =>
        previous == TimeSpan.Zero ? FirstPollDelay : TimeSpan.FromTicks(Math.Min(MaxPollInterval.Ticks, (long)(previous.Ticks * 1.6)));

    private static IEnumerable<KeyValuePair<string, string?>> NoQuery => [];

    private static KeyValuePair<string, string?> Q(string name, string? value) => new(name, value);
}
