namespace Hotmess.Recovery.Platform.Http;

/// <summary>
/// An attempt that got no answer within its timeout, or a call that used up its overall timeout. Never raised for
/// the caller's own cancellation, which stays an <see cref="OperationCanceledException"/>.
/// </summary>
public sealed class HttpTimeoutException(string message, bool overall, Exception? inner = null) : TimeoutException(message, inner)
{
    /// <summary>True when the whole call (every attempt and wait) ran out of time, not one attempt.</summary>
    public bool Overall { get; } = overall;
}
