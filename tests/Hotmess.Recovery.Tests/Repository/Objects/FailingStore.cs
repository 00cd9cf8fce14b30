using System.Runtime.CompilerServices;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>A store whose connection drops after a number of uploads, as an interrupted copy sees it: later uploads fail before anything is stored.</summary>
internal sealed class FailingStore(IObjectStore inner, int failAfterPuts) : IObjectStore
{
    private int _puts;

    public string Location => inner.Location;

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task<ObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) => inner.GetInfoAsync(name, cancellationToken);

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) => inner.OpenReadAsync(name, cancellationToken);

    public Task<bool> PutIfAbsentAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        Count();
        return inner.PutIfAbsentAsync(name, content, cancellationToken);
    }

    public Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        Count();
        return inner.PutAsync(name, content, cancellationToken);
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => inner.DeleteAsync(name, cancellationToken);

    public Task<IObjectStoreLease> AcquireLeaseAsync(string name, TimeSpan duration, CancellationToken cancellationToken) =>
        inner.AcquireLeaseAsync(name, duration, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private void Count()
    {
        if (Interlocked.Increment(ref _puts) > failAfterPuts)
        {
            throw new IOException("The connection to the store was reset.");
        }
    }
}
