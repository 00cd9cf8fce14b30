using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Storage;

/// <summary>How the Storage client connects, waits and retries.</summary>
public sealed record StorageClientOptions
{
    /// <summary>Connections kept open to the Storage host; at least the number of parallel transfers (listings of several buckets run at once too).</summary>
    public int MaxConnections { get; init; } = 32;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long to wait for a response's headers: from sending a request, or from an upload's last byte.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>How long a download's body may go without delivering a byte before the transfer is abandoned and retried.</summary>
    public TimeSpan ReadIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an upload may go without a byte of its body being taken before it is abandoned and retried.</summary>
    public TimeSpan SendIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Entries asked for per <c>/object/list</c> page; Storage caps pages at 1500.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Attempts per request, the first included.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Median first backoff; it grows exponentially with each attempt, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest <c>Retry-After</c> honoured; a longer one waits this long.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The clock of every wait and timeout.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// These settings as the shared pipeline takes them. No overall timeout: a transfer lasts as long as its bytes
    /// keep moving, which the response and idle timeouts watch.
    /// </summary>
    public HttpResilienceOptions Resilience => new()
    {
        MaxAttempts = MaxAttempts,
        BaseDelay = BaseBackoff,
        MaxDelay = MaxBackoff,
        MaxRetryAfter = MaxRetryAfter,
        GiveUpOnLongerWait = false,
        AttemptTimeout = ResponseTimeout,
        TotalTimeout = Timeout.InfiniteTimeSpan,
        Time = Time,
        WarnOnRetry = false,
    };

    /// <summary>These options with at least <paramref name="connections"/> connections, for that many transfers at once.</summary>
    public StorageClientOptions WithConnectionsFor(int connections) => this with { MaxConnections = Math.Max(MaxConnections, connections) };

    /// <summary>The largest Storage page size: <c>LEAST(coalesce(limit,100),1500)</c> in Storage's own SQL.</summary>
    public const int MaxListPageSize = 1500;
}
