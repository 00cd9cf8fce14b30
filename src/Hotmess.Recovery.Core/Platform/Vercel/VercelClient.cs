using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>
/// Vercel REST client for one project (api-contracts §3). Every call carries the bearer token and, when set,
/// <c>teamId</c>. Errors arrive as <see cref="HotmessException"/>: 401/403 → <c>VercelAuthenticationFailed</c>,
/// 404/410 → a <c>…NotFound</c> id naming the item, 400/422 → <c>VercelRequestRejected</c>, 409 →
/// <c>VercelConflict</c>, 429 → <c>VercelRateLimited</c>, 5xx → <c>VercelServiceFailed</c>, no answer →
/// <c>VercelConnectionFailed</c>, once the shared pipeline (<see cref="HttpResilience"/>) has given up: reads,
/// deletes, updates and the env upsert are retried on 429, 5xx, connection errors and timeouts; rollback, promote,
/// redeploy and a deployment from Git (which may have started once Vercel has them) only on 429 or a connection that never opened.
/// Messages never carry the token or a variable's value.
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
    private readonly HttpResilience _resilience;

    /// <param name="settings">Where and as whom to call; filled by the configuration layer.</param>
    /// <param name="log">Receives retry warnings and polling progress; nothing when null.</param>
    /// <param name="httpClient">A shared client (not disposed here); a new one when null.</param>
    /// <remarks>Retries, waits and polling run on <see cref="HttpResilienceOptions.Time"/> of <see cref="VercelSettings.Resilience"/>.</remarks>
    public VercelClient(VercelSettings settings, IOperationLog? log = null, HttpClient? httpClient = null)
    {
        PlatformHttp.RequireSecure(settings.ApiUrl, "The Vercel API URL (VERCEL_API_URL)");
        _settings = settings;
        _log = log ?? NullOperationLog.Instance;
        _time = settings.Resilience.Time;
        _resilience = new HttpResilience("Vercel", settings.Resilience, _log);
        _ownsHttp = httpClient is null;
        // Each attempt has its own timeout in the pipeline; the client's own would cut retries short.
        _http = httpClient ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
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

    /// <summary>
    /// Sends one request through the shared pipeline (<see cref="HttpResilience"/>) under <paramref name="rule"/>;
    /// returns only a 2xx response.
    /// </summary>
    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string path,
        IEnumerable<KeyValuePair<string, string?>> query,
        object? body,
        Call call,
        CancellationToken cancellationToken,
        RetryRule rule = RetryRule.Idempotent)
    {
        var uri = BuildUri(path, query);
        var payload = body is null ? null : JsonSerializer.Serialize(body, Json.Options);
        HttpResponseMessage response;
        var attempts = 0;
        try
        {
            response = await _resilience.SendAsync(_http, () =>
            {
                attempts++;
                var request = new HttpRequestMessage(method, uri);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _settings.Token.Reveal());
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                if (payload is not null)
                {
                    request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
                }

                return request;
            }, rule, $"answer while {call.Operation}", cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("VercelConnectionFailed", FailureKind.ConnectionFailed,
                $"Cannot reach the Vercel API at {_settings.ApiUrl} while {call.Operation}: {ex.Message}", call.Target, ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("VercelRequestTimedOut", FailureKind.Timeout,
                $"The Vercel API did not answer while {call.Operation}: {ex.Message}.", call.Target, ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw ErrorFor(response, error, call, attempts);
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

    private HotmessException ErrorFor(HttpResponseMessage response, ErrorWire? error, Call call, int attempts)
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
                $"Vercel rate limit reached while {call.Operation} and still in force after {attempts} attempt{(attempts == 1 ? "" : "s")} ({detail})." +
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
