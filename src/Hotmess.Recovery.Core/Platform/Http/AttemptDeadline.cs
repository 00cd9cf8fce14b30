namespace Hotmess.Recovery.Platform.Http;

/// <summary>
/// The timer of one attempt, on the pipeline's clock, that can be re-armed as the attempt moves on (an upload
/// waits for bytes to leave, then for the response headers). <see cref="Reason"/> says which wait ran out.
/// </summary>
public sealed class AttemptDeadline : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public AttemptDeadline(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken, string? reason = null)
    {
        _timer = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timer.Token);
        Reason = reason ?? $"no answer within {timeout.TotalSeconds:0.#} s";
    }

    /// <summary>Cancelled when the deadline passes or the caller cancels.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>True when the deadline passed (rather than the caller cancelling).</summary>
    public bool Expired => _timer.IsCancellationRequested;

    public string Reason { get; private set; }

    /// <summary>Starts the timer again: the attempt fails <paramref name="timeout"/> from now, for <paramref name="reason"/>.</summary>
    public void Restart(TimeSpan timeout, string reason)
    {
        Reason = reason;
        _timer.CancelAfter(timeout);
    }

    /// <summary>No deadline any more (the headers arrived; bodies have their own idle timeout).</summary>
    public void Disarm() => _timer.CancelAfter(Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
