namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// An exclusive hold on one name of a store, taken with <see cref="IObjectStore.AcquireLeaseAsync"/>. Disposing it
/// releases the hold; a holder that dies without releasing it loses it when its duration runs out (a local store:
/// when the process ends).
/// </summary>
public interface IObjectStoreLease : IAsyncDisposable
{
    /// <summary>Extends the hold by its duration again; fails with "RepositoryLocked" when it was lost meanwhile.</summary>
    Task RenewAsync(CancellationToken cancellationToken);
}
