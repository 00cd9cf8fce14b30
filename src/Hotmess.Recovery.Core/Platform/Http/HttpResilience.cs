using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Hotmess.Recovery.Common;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Hotmess.Recovery.Platform.Http;

/// <summary>
/// The one resilience pipeline of every HTTP client (Polly 8): which failures are worth another attempt, how long to
/// wait before it, and when to give up. A request is retried according to its <see cref="RetryRule"/>; the wait is
/// the server's own (<c>Retry-After</c> in seconds or as an HTTP date, Vercel's <c>X-RateLimit-Reset</c> unix time,
/// Supabase Management's <c>X-RateLimit-Reset</c> and Resend's <c>ratelimit-reset</c> seconds) up to
/// <see cref="HttpResilienceOptions.MaxRetryAfter"/>, else exponential backoff with jitter. A longer named wait ends
/// the call at once (a quota window: asking again sooner is refused again), or, for Storage's load shedding, is
/// waited only up to the cap (<see cref="HttpResilienceOptions.GiveUpOnLongerWait"/>). Every wait and timeout
/// runs on <see cref="HttpResilienceOptions.Time"/>, so tests drive it with a fake clock.
/// </summary>
public sealed class HttpResilience
{
    private static readonly ResiliencePropertyKey<RetryRule> RuleKey = new("hotmess.retry-rule");
    private static readonly ResiliencePropertyKey<string> OperationKey = new("hotmess.operation");
    private static readonly HttpRequestOptionsKey<bool> FinalKey = new("hotmess.final-answer");

    /// <summary>Reset headers above this many seconds are unix times (Vercel), below it seconds left (Supabase, Resend).</summary>
    private const double UnixTimeThreshold = 1_000_000_000;

    private readonly string _service;
    private readonly IOperationLog _log;
    private readonly ResiliencePipeline _pipeline;

    /// <param name="service">Names the service in retry messages ("Vercel", "Supabase Storage").</param>
    public HttpResilience(string service, HttpResilienceOptions options, IOperationLog? log = null)
    {
        _service = service;
        Options = options;
        _log = log ?? NullOperationLog.Instance;
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.Time };
        if (options.TotalTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(options.TotalTimeout);
        }

        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    !args.Context.CancellationToken.IsCancellationRequested && ShouldRetry(RuleOf(args.Context), args.Outcome)
                    && !(options.GiveUpOnLongerWait && ServerWait(args.Outcome) > options.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(ServerDelay(args.Outcome)),
                OnRetry = args =>
                {
                    var message = $"{_service} could not {OperationOf(args.Context)} ({Describe(args.Outcome)}); retrying in " +
                                  $"{args.RetryDelay.TotalSeconds:0.#} s, attempt {args.AttemptNumber + 2} of {options.MaxAttempts}.";
                    if (options.WarnOnRetry)
                    {
                        _log.Warning(message);
                    }
                    else
                    {
                        _log.Verbose(message);
                    }

                    return ValueTask.CompletedTask;
                },
            });
        }

        _pipeline = builder.Build();
    }

    public HttpResilienceOptions Options { get; }

    public TimeProvider Time => Options.Time;

    /// <summary>
    /// Runs <paramref name="attempt"/> until it succeeds, fails in a way <paramref name="rule"/> does not retry, or
    /// the attempts or the overall timeout run out; then its last failure (or result) is what the caller gets.
    /// An attempt signals a retryable answer by returning the <see cref="HttpResponseMessage"/> or throwing an
    /// <see cref="IRetryableFailure"/>, <see cref="HttpRequestException"/> or <see cref="HttpTimeoutException"/>.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(RetryRule rule, string operation, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RuleKey, rule);
        context.Properties.Set(OperationKey, operation);
        try
        {
            return await _pipeline.ExecuteAsync(
                static async (c, a) => await a(c.CancellationToken).ConfigureAwait(false), context, attempt).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HttpTimeoutException(
                $"{_service} did not {operation} within {Options.TotalTimeout.TotalSeconds:0} s, retries included.", overall: true, ex);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// Sends a request made anew for each attempt and returns the response with its body read (API answers are
    /// small), within <see cref="HttpResilienceOptions.AttemptTimeout"/> per attempt. A response whose status is
    /// still retryable when the attempts run out is returned as is, for the client to turn into its own error.
    /// </summary>
    /// <param name="isFinal">
    /// The client's own reading of a retryable answer that no retry can change (Resend's spent daily quota is a 429).
    /// </param>
    public Task<HttpResponseMessage> SendAsync(
        HttpClient http, Func<HttpRequestMessage> createRequest, RetryRule rule, string operation, CancellationToken cancellationToken,
        Func<HttpResponseMessage, CancellationToken, Task<bool>>? isFinal = null) =>
        ExecuteAsync(rule, operation, async token =>
        {
            using var request = createRequest();
            using var deadline = new AttemptDeadline(Options.AttemptTimeout, Time, token);
            try
            {
                var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
                if (isFinal is not null && IsTransientStatus(response.StatusCode) && await isFinal(response, token).ConfigureAwait(false))
                {
                    request.Options.Set(FinalKey, true);
                }

                return response;
            }
            catch (OperationCanceledException ex) when (!token.IsCancellationRequested)
            {
                // The attempt's deadline, or the timeout of a client handed in by the caller: either way no answer came.
                throw new HttpTimeoutException(deadline.Expired ? deadline.Reason : $"no answer within the HTTP client's {http.Timeout.TotalSeconds:0.#} s",
                    overall: false, ex);
            }
        }, cancellationToken);

    /// <summary>The statuses that say "not now" rather than "no": 408, 429, 500, 502, 503, 504.</summary>
    public static bool IsTransientStatus(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    /// <summary>Whether <paramref name="rule"/> lets a request that ended in <paramref name="outcome"/> be sent again.</summary>
    internal static bool ShouldRetry(RetryRule rule, Outcome<object> outcome) => outcome.Exception switch
    {
        null => outcome.Result is HttpResponseMessage response && !SaysDoNotRetry(response)
                && !(response.RequestMessage?.Options.TryGetValue(FinalKey, out var final) == true && final)
                && (rule == RetryRule.Idempotent ? IsTransientStatus(response.StatusCode) : response.StatusCode == HttpStatusCode.TooManyRequests),
        OperationCanceledException => false,
        IRetryableFailure failure => failure.IsTransient && (rule == RetryRule.Idempotent || failure.IsRateLimit),
        HttpRequestException request => rule == RetryRule.Idempotent || NeverSent(request),
        HttpTimeoutException { Overall: false } => rule == RetryRule.Idempotent,
        _ => false,
    };

    /// <summary>Stripe's <c>Stripe-Should-Retry: false</c>: the server knows a retry cannot succeed.</summary>
    private static bool SaysDoNotRetry(HttpResponseMessage response) =>
        response.Headers.TryGetValues("Stripe-Should-Retry", out var values) && values.FirstOrDefault() == "false";

    /// <summary>A connection that could not be opened: the request never reached the server.</summary>
    public static bool NeverSent(HttpRequestException exception) =>
        exception.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError;

    /// <summary>
    /// The wait a response asks for: <c>Retry-After</c> (seconds or HTTP date), else <c>X-RateLimit-Reset</c> or
    /// <c>ratelimit-reset</c> (a unix time when it is one, else seconds left); null when it names none.
    /// </summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, TimeProvider time)
    {
        var headers = response.Headers;
        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                return NotNegative(date - time.GetUtcNow());
            }
        }

        foreach (var name in (ReadOnlySpan<string>)["X-RateLimit-Reset", "ratelimit-reset"])
        {
            if (Seconds(headers, name) is { } seconds)
            {
                return seconds >= UnixTimeThreshold
                    ? NotNegative(DateTimeOffset.UnixEpoch.AddSeconds(seconds) - time.GetUtcNow())
                    : TimeSpan.FromSeconds(seconds);
            }
        }

        return null;
    }

    /// <summary>The wait the answer names, capped at <see cref="HttpResilienceOptions.MaxRetryAfter"/>; null for backoff.</summary>
    private TimeSpan? ServerDelay(Outcome<object> outcome) =>
        ServerWait(outcome) is { } wait ? (wait < Options.MaxRetryAfter ? NotNegative(wait) : Options.MaxRetryAfter) : null;

    private TimeSpan? ServerWait(Outcome<object> outcome) => outcome.Exception switch
    {
        null => outcome.Result is HttpResponseMessage response ? RetryAfter(response, Time) : null,
        IRetryableFailure failure => failure.RetryAfter,
        _ => null,
    };

    private static string Describe(Outcome<object> outcome) => outcome.Exception switch
    {
        null when outcome.Result is HttpResponseMessage { StatusCode: HttpStatusCode.TooManyRequests } => "rate limited: 429 Too Many Requests",
        null when outcome.Result is HttpResponseMessage response => $"{(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd(),
        null => "no result",
        var ex => ex.Message,
    };

    private static RetryRule RuleOf(ResilienceContext context) =>
        context.Properties.TryGetValue(RuleKey, out var rule) ? rule : RetryRule.OnlyWhenNotAccepted;

    private static string OperationOf(ResilienceContext context) =>
        context.Properties.TryGetValue(OperationKey, out var operation) ? operation : "send the request";

    private static double? Seconds(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
        && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
        && seconds >= 0
            ? seconds
            : null;

    private static TimeSpan NotNegative(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
}
