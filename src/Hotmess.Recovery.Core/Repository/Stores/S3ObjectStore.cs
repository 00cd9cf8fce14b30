using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// A store in an S3 bucket (AWS or any S3-compatible service), below an optional prefix. An object up to one part
/// (8 MiB) is one PutObject; a larger one, or one of unknown length, is a multipart upload read one part at a time,
/// invisible until it is completed and aborted when anything fails, so a cut upload never leaves an object behind.
/// Put-if-absent checks first and sends If-None-Match: * (AWS honours it; simpler servers such as s3rver ignore it,
/// and there two writers racing for one new name may both write it: content-addressed writers lose nothing by that).
/// The bucket is created on the first write when it does not exist.
/// </summary>
public sealed class S3ObjectStore : IObjectStore
{
    internal const int PartSize = 8 << 20;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _createBucket = new(1, 1);
    private bool _bucketExists;

    /// <param name="client">The client, with its credentials; the store disposes it.</param>
    /// <param name="bucket">The bucket.</param>
    /// <param name="prefix">"" or a '/'-separated prefix (no trailing '/') every name is below.</param>
    /// <param name="location">The display form, without secrets.</param>
    /// <param name="time">The clock lease expiries are written with.</param>
    public S3ObjectStore(IAmazonS3 client, string bucket, string prefix, string location, TimeProvider? time = null)
    {
        _client = client;
        _bucket = bucket;
        _prefix = prefix.Length == 0 ? "" : prefix.TrimEnd('/') + "/";
        Location = location;
        _time = time ?? TimeProvider.System;
    }

    public string Location { get; }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectNames.ValidatePrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix + prefix };
        while (true)
        {
            ListObjectsV2Response response;
            try
            {
                response = await _client.ListObjectsV2Async(request, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
            {
                yield break;
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex))
            {
                throw S3Errors.Translate(ex, Location, $"listing '{prefix}'");
            }

            foreach (var item in response.S3Objects ?? [])
            {
                var name = item.Key[_prefix.Length..];
                if (!name.StartsWith(ObjectNames.ReservedPrefix, StringComparison.Ordinal))
                {
                    yield return new ObjectInfo(name, item.Size ?? 0, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
                }
            }

            if (response.IsTruncated != true)
            {
                yield break;
            }

            request.ContinuationToken = response.NextContinuationToken;
        }
    }

    public async Task<ObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
    {
        var key = Key(name);
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken);
            return new ObjectInfo(name, metadata.ContentLength, metadata.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex))
        {
            throw S3Errors.Translate(ex, Location, $"reading the properties of '{name}'");
        }
    }

    public async Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
    {
        var key = Key(name);
        try
        {
            var response = await _client.GetObjectAsync(_bucket, key, cancellationToken);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            throw StoreErrors.Missing(Location, name, ex);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex))
        {
            throw S3Errors.Translate(ex, Location, $"reading '{name}'");
        }
    }

    public async Task<bool> PutIfAbsentAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        if (await GetInfoAsync(name, cancellationToken) is not null)
        {
            return false;
        }

        try
        {
            await UploadAsync(Key(name), content, ifNoneMatch: true, cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
        {
            return false;
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex))
        {
            throw S3Errors.Translate(ex, Location, $"writing '{name}'");
        }
    }

    public async Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
    {
        try
        {
            await UploadAsync(Key(name), content, ifNoneMatch: false, cancellationToken);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex))
        {
            throw S3Errors.Translate(ex, Location, $"writing '{name}'");
        }
    }

    public async Task DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var key = Key(name);
        try
        {
            await _client.DeleteObjectAsync(_bucket, key, cancellationToken);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // No bucket (or a server that answers 404 for a missing key): nothing to delete.
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex))
        {
            throw S3Errors.Translate(ex, Location, $"deleting '{name}'");
        }
    }

    public async Task<IObjectStoreLease> AcquireLeaseAsync(string name, TimeSpan duration, CancellationToken cancellationToken)
    {
        ObjectNames.Validate(name);
        try
        {
            await EnsureBucketAsync(cancellationToken);
            return await S3Lease.AcquireAsync(this, name, _prefix + ObjectNames.ReservedPrefix + "locks/" + name, duration, cancellationToken);
        }
        catch (Exception ex) when (S3Errors.IsTranslatable(ex))
        {
            throw S3Errors.Translate(ex, Location, $"taking the lease '{name}'");
        }
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _createBucket.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Every request body carries the Content-MD5 of the very buffer that is sent, and S3 refuses a body that does not
    /// match it (BadDigest). Simpler servers (s3rver) do not check it, but answer with the MD5 of what they stored as
    /// the ETag, as S3 does too unless the object is encrypted with a KMS key (then its ETag is no MD5 and
    /// the service's own check stands alone): a different ETag means other bytes were stored than were sent.
    /// </summary>
    private static bool StoredAsSent(string? etag, ServerSideEncryptionMethod? encryption, byte[] md5)
    {
        if (encryption == ServerSideEncryptionMethod.AWSKMS || encryption == ServerSideEncryptionMethod.AWSKMSDSSE || etag is null)
        {
            return true;
        }

        var stored = etag.Trim('"');
        return stored.Contains('-', StringComparison.Ordinal) || string.Equals(stored, Convert.ToHexString(md5), StringComparison.OrdinalIgnoreCase);
    }

    private HotmessException CorruptedInTransit(string key, string? etag) =>
        StoreErrors.CorruptedInTransit(Location, $"writing '{key[_prefix.Length..]}' (it stored ETag {etag}, not the MD5 of what was sent)");

    private string Key(string name) => _prefix + ObjectNames.Validate(name);

    private async Task UploadAsync(string key, Stream content, bool ifNoneMatch, CancellationToken cancellationToken)
    {
        await EnsureBucketAsync(cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(PartSize);
        try
        {
            var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken);
            // Every request body is a whole part already in memory, so it is signed in one piece (no aws-chunked
            // encoding, which simpler S3-compatible servers such as s3rver do not decode).
            if (filled < PartSize)
            {
                var md5 = MD5.HashData(buffer.AsSpan(0, filled));
                var single = new PutObjectRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                    AutoCloseStream = false,
                    UseChunkEncoding = false,
                    MD5Digest = Convert.ToBase64String(md5),
                };
                if (ifNoneMatch)
                {
                    single.IfNoneMatch = "*";
                }

                // Not cut by cancellation (it is at most one part): a server that stored the bytes must be checked.
                var stored = await _client.PutObjectAsync(single, CancellationToken.None);
                if (!StoredAsSent(stored.ETag, stored.ServerSideEncryptionMethod, md5))
                {
                    // What a server that does not check Content-MD5 stored is not what was sent: it must not stay.
                    await _client.DeleteObjectAsync(_bucket, key, CancellationToken.None);
                    throw CorruptedInTransit(key, stored.ETag);
                }

                return;
            }

            await UploadInPartsAsync(key, content, buffer, ifNoneMatch, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task UploadInPartsAsync(string key, Stream content, byte[] buffer, bool ifNoneMatch, CancellationToken cancellationToken)
    {
        var upload = await _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = _bucket, Key = key }, cancellationToken);
        try
        {
            var parts = new List<PartETag>();
            var filled = PartSize;
            while (filled > 0)
            {
                var md5 = MD5.HashData(buffer.AsSpan(0, filled));
                var part = await _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = parts.Count + 1,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                    PartSize = filled,
                    UseChunkEncoding = false,
                    MD5Digest = Convert.ToBase64String(md5),
                }, cancellationToken);
                if (!StoredAsSent(part.ETag, part.ServerSideEncryptionMethod, md5))
                {
                    throw CorruptedInTransit(key, part.ETag); // The upload is aborted below: nothing is stored.
                }

                parts.Add(new PartETag(parts.Count + 1, part.ETag));
                filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartSize), PartSize, throwOnEndOfStream: false, cancellationToken);
            }

            var complete = new CompleteMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = upload.UploadId, PartETags = parts };
            if (ifNoneMatch)
            {
                complete.IfNoneMatch = "*";
            }

            await _client.CompleteMultipartUploadAsync(complete, cancellationToken);
        }
        catch
        {
            // The parts are invisible; aborting frees them (a lifecycle rule catches what an abort cannot reach).
            try
            {
                await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = upload.UploadId }, CancellationToken.None);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex))
            {
            }

            throw;
        }
    }

    private async Task EnsureBucketAsync(CancellationToken cancellationToken)
    {
        if (_bucketExists)
        {
            return;
        }

        await _createBucket.WaitAsync(cancellationToken);
        try
        {
            if (_bucketExists)
            {
                return;
            }

            try
            {
                await _client.GetBucketLocationAsync(_bucket, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                try
                {
                    await _client.PutBucketAsync(_bucket, cancellationToken);
                }
                catch (AmazonS3Exception exists) when (exists.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                }
            }

            _bucketExists = true;
        }
        finally
        {
            _createBucket.Release();
        }
    }

    /// <summary>
    /// A lease on S3: a lock object holding an owner token and an expiry. It is created with If-None-Match: * and a
    /// lapsed one is taken over with If-Match on its ETag; where the server honours these (AWS S3 does) two takers
    /// cannot both win. Where it ignores them (s3rver, some S3-compatible stores) the lock object is read back after
    /// writing and the taker whose token is not there gives up, which narrows the race to the moment between two
    /// writes but cannot close it. Expiries are written with this machine's clock: clocks far apart shorten or
    /// lengthen a lapsed holder's grace.
    /// </summary>
    private sealed class S3Lease : IObjectStoreLease
    {
        private readonly S3ObjectStore _store;
        private readonly string _name;
        private readonly string _key;
        private readonly string _owner = Guid.NewGuid().ToString("N");
        private readonly TimeSpan _duration;
        private S3Lease(S3ObjectStore store, string name, string key, TimeSpan duration)
        {
            _store = store;
            _name = name;
            _key = key;
            _duration = duration;
        }

        public static async Task<S3Lease> AcquireAsync(S3ObjectStore store, string name, string key, TimeSpan duration, CancellationToken cancellationToken)
        {
            var lease = new S3Lease(store, name, key, duration);
            var current = await lease.ReadAsync(cancellationToken);
            if (current is { } held && held.Record.ExpiresUtc > store._time.GetUtcNow())
            {
                throw StoreErrors.Locked(store.Location, name, $" until {held.Record.ExpiresUtc:u}");
            }

            try
            {
                await lease.WriteAsync(ifMatch: current?.ETag, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                throw StoreErrors.Locked(store.Location, name, "", ex);
            }

            if ((await lease.ReadAsync(cancellationToken))?.Record.Owner != lease._owner)
            {
                throw StoreErrors.Locked(store.Location, name, "");
            }

            return lease;
        }

        public async Task RenewAsync(CancellationToken cancellationToken)
        {
            try
            {
                var current = await ReadAsync(cancellationToken);
                if (current?.Record.Owner != _owner)
                {
                    throw StoreErrors.LeaseLost(_store.Location, _name);
                }

                await WriteAsync(ifMatch: current.Value.ETag, cancellationToken);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                throw StoreErrors.LeaseLost(_store.Location, _name, ex);
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex))
            {
                throw S3Errors.Translate(ex, _store.Location, $"renewing the lease '{_name}'");
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                var current = await ReadAsync(CancellationToken.None);
                if (current?.Record.Owner == _owner)
                {
                    await _store._client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = _store._bucket, Key = _key, IfMatch = current.Value.ETag });
                }
            }
            catch (Exception ex) when (S3Errors.IsTranslatable(ex))
            {
                // Not released now, it lapses at its expiry.
            }
        }

        private async Task<(LeaseRecord Record, string ETag)?> ReadAsync(CancellationToken cancellationToken)
        {
            try
            {
                using var response = await _store._client.GetObjectAsync(_store._bucket, _key, cancellationToken);
                var record = await JsonSerializer.DeserializeAsync<LeaseRecord>(response.ResponseStream, cancellationToken: cancellationToken);
                return record is null ? null : (record, response.ETag);
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }
            catch (JsonException)
            {
                // Unreadable: treated as lapsed, so a damaged lock never blocks the repository for ever.
                return (new LeaseRecord("", DateTimeOffset.MinValue), "*");
            }
        }

        private async Task WriteAsync(string? ifMatch, CancellationToken cancellationToken)
        {
            var record = new LeaseRecord(_owner, _store._time.GetUtcNow() + _duration);
            var request = new PutObjectRequest
            {
                BucketName = _store._bucket,
                Key = _key,
                InputStream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(record)),
                ContentType = "application/json",
                UseChunkEncoding = false,
            };
            if (ifMatch is null)
            {
                request.IfNoneMatch = "*";
            }
            else if (ifMatch != "*")
            {
                request.IfMatch = ifMatch;
            }

            await _store._client.PutObjectAsync(request, cancellationToken);
        }
    }

    private sealed record LeaseRecord(string Owner, DateTimeOffset ExpiresUtc);

    /// <summary>The object's bytes; disposing it closes the response.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => _inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
