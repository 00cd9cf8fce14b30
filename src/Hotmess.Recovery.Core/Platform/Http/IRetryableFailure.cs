namespace Hotmess.Recovery.Platform.Http;

/// <summary>
/// A failure a client raises inside an attempt (a Storage error read from the body, a transfer cut mid-body) and
/// that says itself whether it is worth another attempt and how long the server asked to wait.
/// </summary>
public interface IRetryableFailure
{
    /// <summary>Rate limiting, a server fault, a broken transfer: worth another attempt.</summary>
    bool IsTransient { get; }

    /// <summary>True when the server answered 429 (the request was not accepted).</summary>
    bool IsRateLimit { get; }

    /// <summary>The wait the server asked for; null when it named none.</summary>
    TimeSpan? RetryAfter { get; }
}
