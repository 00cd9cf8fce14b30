namespace Hotmess.Recovery.Platform.Http;

/// <summary>
/// How one kind of client retries and times out. Each client kind has its own defaults (an API call, a Storage
/// transfer, a webhook); tests shorten them and pass a fake <see cref="Time"/>.
/// </summary>
public sealed record HttpResilienceOptions
{
    /// <summary>Attempts per request, the first included; 1 turns retries off.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>The median first backoff when the server names no wait; it grows exponentially, with jitter.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest backoff between two attempts.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest server-named wait (<c>Retry-After</c>, <c>X-RateLimit-Reset</c>, <c>ratelimit-reset</c>) honoured.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A named wait longer than <see cref="MaxRetryAfter"/> ends the call at once (true: an API's rate-limit window,
    /// which refuses every earlier try), or is waited only up to it and tried again (false: Storage's 429s shed load
    /// and pass sooner).
    /// </summary>
    public bool GiveUpOnLongerWait { get; init; } = true;

    /// <summary>
    /// One attempt: for an API call the response with its (small) body; for a Storage transfer only the response
    /// headers, its bodies being watched by idle timeouts instead.
    /// </summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The whole call, attempts and waits together; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The clock every wait and timeout runs on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Retries are reported as warnings (an API call) or only in verbose output (one of many transfers).</summary>
    public bool WarnOnRetry { get; init; } = true;
}
