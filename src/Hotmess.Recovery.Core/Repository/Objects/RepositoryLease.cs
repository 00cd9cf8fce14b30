using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// The lease on an object repository, renewed in the background while the work it guards runs; disposing releases it.
/// A renewal that fails is kept and thrown by <see cref="EnsureHeld"/>, so work stops before it acts unguarded.
/// </summary>
public sealed class RepositoryLease : IAsyncDisposable
{
    private readonly IObjectStoreLease _lease;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private Exception? _renewalFailure;

    internal RepositoryLease(IObjectStoreLease lease, TimeSpan renewEvery)
    {
        _lease = lease;
        _renewing = Task.Run(() => RenewAsync(renewEvery));
    }

    /// <summary>Throws when a renewal failed: the lease may be someone else's now.</summary>
    public void EnsureHeld()
    {
        if (_renewalFailure is { } failure)
        {
            throw new Common.HotmessException("RepositoryLeaseLost", Common.FailureKind.InvalidOperation,
                $"The lease on the repository could not be renewed ({failure.Message}); the work stopped before acting without it.", null, failure);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _renewing.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _lease.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task RenewAsync(TimeSpan every)
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.Delay(every, _stop.Token).ConfigureAwait(false);
            try
            {
                await _lease.RenewAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _renewalFailure = ex;
                return;
            }
        }
    }
}
