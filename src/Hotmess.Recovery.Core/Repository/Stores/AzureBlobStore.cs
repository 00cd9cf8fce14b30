using System.Runtime.CompilerServices;
using Azure;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// A store in an Azure Blob Storage container, below an optional prefix. A blob appears whole or not at all: a small
/// one is one Put Blob, a large one is staged in blocks that stay invisible until the block list is committed, so a
/// cut upload leaves nothing (and a cut replacement leaves the old blob). Put-if-absent is the service's own
/// If-None-Match: *. Leases are blob leases on lock blobs below <c>.hotmess-locks/</c>; the service grants 15 to 60
/// seconds, so a longer lease is renewed in the background while it is held and lapses within a minute of its
/// holder's death. The container is created on the first write when it does not exist.
/// </summary>
public sealed class AzureBlobStore : IObjectStore
{
    private const int BlockSize = 4 << 20;
    private static readonly TimeSpan ShortestLease = TimeSpan.FromSeconds(15);

    private readonly BlobContainerClient _container;
    private readonly string _prefix;
    private readonly SemaphoreSlim _createContainer = new(1, 1);
    private bool _containerExists;

    /// <param name="container">The container, with its credentials.</param>
    /// <param name="prefix">"" or a '/'-separated prefix (no trailing '/') every name is below.</param>
    /// <param name="location">The display form, without secrets.</param>
    public AzureBlobStore(BlobContainerClient container, string prefix, string location)
    {
        _container = container;
        _prefix = prefix.Length == 0 ? "" : prefix.TrimEnd('/') + "/";
        Location = location;
    }

    public string Location { get; }

    /// <summary>The longest lease the service grants (60 s); longer ones are renewed in the background. Tests shorten it.</summary>
    internal TimeSpan LongestServiceLease { get; set; } = TimeSpan.FromSeconds(60);

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNames.ValidatePrefix(prefix);
        var pages = _container.GetBlobsAsync(BlobTraits.None, BlobStates.None, _prefix + prefix, cancellationToken).AsPages().GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                Page<BlobItem> page;
                try
                {
                    if (!await pages.MoveNextAsync())
                    {
                        yield break;
                    }

                    page = pages.Current;
                }
                catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
                {
                    yield break;
                }
                catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
                {
                    throw AzureErrors.Translate(ex, Location, $"listing '{prefix}'");
                }

                foreach (var blob in page.Values)
                {
                    var name = blob.Name[_prefix.Length..];
                    if (!name.StartsWith(ObjectNames.ReservedPrefix, StringComparison.Ordinal))
                    {
                        yield return new ObjectInfo(name, blob.Properties.ContentLength ?? 0, blob.Properties.LastModified ?? DateTimeOffset.MinValue);
                    }
                }
            }
        }
        finally
        {
            await pages.DisposeAsync();
        }
    }

    public async Task<ObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            var properties = (await Blob(name).GetPropertiesAsync(cancellationToken: cancellationToken)).Value;
            return new ObjectInfo(name, properties.ContentLength, properties.LastModified);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
        {
            throw AzureErrors.Translate(ex, Location, $"reading the properties of '{name}'");
        }
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            // One streamed response (the SDK resumes it with a range request after a broken connection).
            return (await Blob(name).DownloadStreamingAsync(cancellationToken: cancellationToken)).Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            throw StoreErrors.Missing(Location, name, ex);
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
        {
            throw AzureErrors.Translate(ex, Location, $"reading '{name}'");
        }
    }

    public async Task<bool> PutIfAbsentAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        // No properties request first: the condition decides, and callers (a copy) have listed what is there already,
        // so the name is nearly always free and a request per object would cost more than a rare wasted upload.
        var blob = Blob(name);
        await using var small = await PooledContent.ReadSmallAsync(content, BlockSize, cancellationToken);
        content = small ?? content;
        var start = content.CanSeek ? content.Position : -1;
        try
        {
            await UploadAsync(blob, content, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            if (await GetInfoAsync(name, cancellationToken) is not null)
            {
                return false;
            }

            // No committed blob, yet the condition failed: Azurite counts the uncommitted blocks of an upload cut by a
            // killed process as a blob (the service ignores them). Clear them, then send the bytes again if they can be
            // read again; a forward-only source cannot, and the next attempt succeeds.
            await DiscardUncommittedAsync(blob);
            if (start < 0)
            {
                throw AzureErrors.Translate(ex, Location, $"writing '{name}' over the blocks of an interrupted upload (they are cleared now; try again)");
            }

            content.Position = start;
            try
            {
                await UploadAsync(blob, content, new BlobRequestConditions { IfNoneMatch = ETag.All }, cancellationToken);
                return true;
            }
            catch (RequestFailedException again) when (again.Status is 409 or 412)
            {
                return false;
            }
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
        {
            await DiscardUncommittedAsync(blob);
            throw AzureErrors.Translate(ex, Location, $"writing '{name}'");
        }
        catch
        {
            await DiscardUncommittedAsync(blob);
            throw;
        }
    }

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        try
        {
            await using var small = await PooledContent.ReadSmallAsync(content, BlockSize, cancellationToken);
            await UploadAsync(Blob(name), small ?? content, null, cancellationToken);
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
        {
            throw AzureErrors.Translate(ex, Location, $"writing '{name}'");
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Blob(name).DeleteIfExistsAsync(cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == BlobErrorCode.ContainerNotFound)
        {
            // No container, no object.
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
        {
            throw AzureErrors.Translate(ex, Location, $"deleting '{name}'");
        }
    }

    public async Task<IObjectStoreLease> AcquireLeaseAsync(string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        ObjectNames.Validate(name);
        var blob = _container.GetBlobClient(_prefix + ObjectNames.ReservedPrefix + "locks/" + name);
        var serviceDuration = duration < ShortestLease ? ShortestLease : duration > LongestServiceLease ? LongestServiceLease : duration;
        try
        {
            await EnsureContainerAsync(cancellationToken);
            try
            {
                // A lease needs a blob; an existing one (leased or not) is fine as it is.
                await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
            }

            var lease = blob.GetBlobLeaseClient(Guid.NewGuid().ToString());
            await lease.AcquireAsync(serviceDuration, cancellationToken: cancellationToken);
            return new BlobLease(this, name, blob, lease, renewInBackground: duration > LongestServiceLease, serviceDuration);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw StoreErrors.Locked(Location, name, "", ex);
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
        {
            throw AzureErrors.Translate(ex, Location, $"taking the lease '{name}'");
        }
    }

    public ValueTask DisposeAsync()
    {
        _createContainer.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Drops the blocks a cut upload staged for a blob that was never committed (best effort).</summary>
    private async Task DiscardUncommittedAsync(BlobClient blob)
    {
        try
        {
            if (!await blob.ExistsAsync(CancellationToken.None))
            {
                await blob.DeleteIfExistsAsync(cancellationToken: CancellationToken.None);
            }
        }
        catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
        {
        }
    }

    private BlobClient Blob(string name) => _container.GetBlobClient(_prefix + ObjectNames.Validate(name));

    private async Task UploadAsync(BlobClient blob, Stream content, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        await EnsureContainerAsync(cancellationToken);
        // An object under one block comes here already read into memory (seekable), and goes as one Put Blob. A larger
        // one goes in blocks of 4 MiB, two in flight: memory stays at a few blocks whatever the object's size, and it is
        // staged block by block and committed only once its source has ended. Each request body carries the MD5 of the
        // bytes as they were read from the source; the service (and Azurite) refuses a body that does not match it
        // (Md5Mismatch), so what is stored is what was sent, without a read-back.
        var options = new BlobUploadOptions
        {
            Conditions = conditions,
            TransferOptions = new StorageTransferOptions { InitialTransferSize = BlockSize, MaximumTransferSize = BlockSize, MaximumConcurrency = 2 },
            TransferValidation = new UploadTransferValidationOptions { ChecksumAlgorithm = StorageChecksumAlgorithm.MD5 },
        };
        await blob.UploadAsync(content, options, cancellationToken);
    }

    private async Task EnsureContainerAsync(CancellationToken cancellationToken)
    {
        if (_containerExists)
        {
            return;
        }

        await _createContainer.WaitAsync(cancellationToken);
        try
        {
            if (!_containerExists)
            {
                await _container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
                _containerExists = true;
            }
        }
        finally
        {
            _createContainer.Release();
        }
    }

    private sealed class BlobLease : IObjectStoreLease
    {
        private readonly AzureBlobStore _store;
        private readonly string _name;
        private readonly BlobClient _blob;
        private readonly BlobLeaseClient _lease;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewing;

        public BlobLease(AzureBlobStore store, string name, BlobClient blob, BlobLeaseClient lease, bool renewInBackground, TimeSpan serviceDuration)
        {
            _store = store;
            _name = name;
            _blob = blob;
            _lease = lease;
            _renewing = renewInBackground ? RenewUntilStoppedAsync(serviceDuration / 3) : Task.CompletedTask;
        }

        public async Task RenewAsync(CancellationToken cancellationToken)
        {
            try
            {
                await _lease.RenewAsync(cancellationToken: cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                throw StoreErrors.LeaseLost(_store.Location, _name, ex);
            }
            catch (Exception ex) when (AzureErrors.IsTranslatable(ex))
            {
                throw AzureErrors.Translate(ex, _store.Location, $"renewing the lease '{_name}'");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _renewing;
            _stop.Dispose();
            try
            {
                // Deleting the lock blob under the lease releases it and leaves nothing behind.
                await _blob.DeleteIfExistsAsync(conditions: new BlobRequestConditions { LeaseId = _lease.LeaseId });
            }
            catch (RequestFailedException)
            {
                // Lost meanwhile: it is another holder's now, or it lapses by itself.
            }
        }

        private async Task RenewUntilStoppedAsync(TimeSpan every)
        {
            try
            {
                while (true)
                {
                    await Task.Delay(every, _stop.Token);
                    try
                    {
                        await _lease.RenewAsync(cancellationToken: _stop.Token);
                    }
                    catch (RequestFailedException)
                    {
                        // A renewal that fails now may succeed at the next tick; the holder's own RenewAsync reports a loss.
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }
    }
}
