using System.Runtime.CompilerServices;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Incidents;

/// <summary>
/// A store that can be taken down and brought back, as an offsite store unreachable for a while: every call fails while
/// it is down, and a write waits until cancelled while it hangs.
/// </summary>
internal sealed class SwitchableStore(IObjectStore inner) : IObjectStore
{
    public bool Down { get; set; }

    public bool Hangs { get; set; }

    /// <summary>Calls made while down: each is an attempt to reach the store.</summary>
    public int RefusedCalls { get; private set; }

    public string Location => inner.Location;

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Check();
        await foreach (var info in inner.ListAsync(prefix, cancellationToken))
        {
            yield return info;
        }
    }

    public Task<ObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken) => Checked(() => inner.GetInfoAsync(name, cancellationToken));

    public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken) => Checked(() => inner.OpenReadAsync(name, cancellationToken));

    public Task<bool> PutIfAbsentAsync(string name, Stream content, CancellationToken cancellationToken) => Checked(() => inner.PutIfAbsentAsync(name, content, cancellationToken));

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        Check();
        if (Hangs)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        await inner.PutAsync(name, content, cancellationToken);
    }

    public Task DeleteAsync(string name, CancellationToken cancellationToken) => Checked(() => inner.DeleteAsync(name, cancellationToken));

    public Task<IObjectStoreLease> AcquireLeaseAsync(string name, TimeSpan duration, CancellationToken cancellationToken) =>
        Checked(() => inner.AcquireLeaseAsync(name, duration, cancellationToken));

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private T Checked<T>(Func<T> call)
    {
        Check();
        return call();
    }

    private void Check()
    {
        if (Down)
        {
            RefusedCalls++;
            throw new HttpRequestException("Connection refused (offsite.example:443)");
        }
    }
}
