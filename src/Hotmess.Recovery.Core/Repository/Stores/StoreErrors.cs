using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>The failures every store reports the same way, so callers branch on one id whatever the store.</summary>
internal static class StoreErrors
{
    public static HotmessException Missing(string location, string name, Exception? inner = null) =>
        new("RepositoryObjectMissing", FailureKind.NotFound, $"The repository {location} has no object '{name}'.", name, inner);

    public static HotmessException Locked(string location, string name, string detail, Exception? inner = null) =>
        new("RepositoryLocked", FailureKind.InvalidOperation,
            $"The lease '{name}' of the repository {location} is held by another process{detail}; try again when it is released or expires.", name, inner);

    public static HotmessException LeaseLost(string location, string name, Exception? inner = null) =>
        new("RepositoryLocked", FailureKind.InvalidOperation,
            $"The lease '{name}' of the repository {location} was lost (it expired and another process took it).", name, inner);

    public static HotmessException Unreachable(string location, string what, Exception inner) =>
        new("RepositoryUnreachable", FailureKind.ConnectionFailed,
            $"The repository {location} cannot be reached while {what}: {inner.Message}", location, inner);

    public static HotmessException AccessDenied(string location, string what, Exception inner) =>
        new("RepositoryAccessDenied", FailureKind.PermissionDenied,
            $"The repository {location} refused access while {what}; check its credentials and permissions.", location, inner);

    /// <summary>The store received other bytes than were sent (the digest sent with them did not match): nothing was stored.</summary>
    public static HotmessException CorruptedInTransit(string location, string what, Exception? inner = null) =>
        new("ObjectCorruptedInTransit", FailureKind.InvalidData,
            $"The repository {location} refused the bytes it received while {what}: they do not match the digest sent with them, so they were changed on the way. Nothing was stored; try again.", location, inner);

    public static HotmessException Failed(string location, string what, Exception inner) =>
        new("RepositoryRequestFailed", FailureKind.RemoteServiceFailed,
            $"The repository {location} failed while {what}: {inner.Message}", location, inner);
}
