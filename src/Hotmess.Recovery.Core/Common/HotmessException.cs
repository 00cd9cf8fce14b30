namespace Hotmess.Recovery.Common;

/// <summary>What went wrong, in words a caller can branch on; the cmdlets map it to an ErrorCategory.</summary>
public enum FailureKind
{
    InvalidArgument,
    NotFound,
    AlreadyExists,
    ConnectionFailed,
    AuthenticationFailed,
    PermissionDenied,
    NotInstalled,
    VersionMismatch,
    InvalidData,
    ExternalToolFailed,
    RemoteServiceFailed,
    RateLimited,
    Timeout,
    InvalidOperation,
}

/// <summary>
/// A failure the engine understands: a stable id (used as the ErrorRecord id), a kind, and the item it concerns.
/// Messages never carry secrets.
/// </summary>
public class HotmessException : Exception
{
    public HotmessException(string errorId, FailureKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    public string ErrorId { get; }

    public FailureKind Kind { get; }

    public object? Target { get; }
}
