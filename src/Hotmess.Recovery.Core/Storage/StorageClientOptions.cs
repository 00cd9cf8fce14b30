namespace Hotmess.Recovery.Storage;

/// <summary>How the Storage client connects, waits and retries.</summary>
public sealed class StorageClientOptions
{
    /// <summary>Connections kept open to the Storage host; at least the number of parallel transfers (listings of several buckets run at once too).</summary>
    public int MaxConnections { get; init; } = 32;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long to wait for a response's headers.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>How long a body may go without delivering a byte before the transfer is abandoned and retried.</summary>
    public TimeSpan ReadIdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Entries asked for per <c>/object/list</c> page; Storage caps pages at 1500.</summary>
    public int ListPageSize { get; init; } = 1000;

    /// <summary>Attempts per request, the first included.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>First backoff; it doubles with each attempt, with jitter, up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan BaseBackoff { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest <c>Retry-After</c> honoured; a longer one waits this long.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>These options with at least <paramref name="connections"/> connections, for that many transfers at once.</summary>
    public StorageClientOptions WithConnectionsFor(int connections) => new()
    {
        MaxConnections = Math.Max(MaxConnections, connections),
        ConnectTimeout = ConnectTimeout,
        ResponseTimeout = ResponseTimeout,
        ReadIdleTimeout = ReadIdleTimeout,
        ListPageSize = ListPageSize,
        MaxAttempts = MaxAttempts,
        BaseBackoff = BaseBackoff,
        MaxBackoff = MaxBackoff,
        MaxRetryAfter = MaxRetryAfter,
    };

    /// <summary>The largest Storage page size: <c>LEAST(coalesce(limit,100),1500)</c> in Storage's own SQL.</summary>
    public const int MaxListPageSize = 1500;
}
