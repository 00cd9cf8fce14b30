using System.Collections.Concurrent;
using System.Security.Cryptography;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Storage;

/// <summary>What to restore, and where.</summary>
public sealed class StorageRestoreRequest
{
    public required BackupSet Set { get; init; }

    public required Uri SupabaseUrl { get; init; }

    public required Secret ServiceKey { get; init; }

    /// <summary>Bucket ids (or names) of the set to restore; empty for all of them.</summary>
    public IReadOnlyList<string> Buckets { get; init; } = [];

    /// <summary>Only objects whose key starts with this (ordinal).</summary>
    public string? Prefix { get; init; }

    /// <summary>Uploads at once when nothing else is asked for.</summary>
    public const int DefaultThrottleLimit = 8;

    public int ThrottleLimit { get; init; } = DefaultThrottleLimit;

    /// <summary>Overwrite objects that exist in the target with different content.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Restore each bucket under this prefix (<c>drill-avatars</c> for <c>avatars</c>), beside the buckets of the set; null restores them as they were.</summary>
    public string? BucketPrefix { get; init; }

    public StorageClientOptions? ClientOptions { get; init; }
}

/// <summary>
/// Restores a storage set: re-creates missing buckets with their recorded settings, uploads objects from the
/// content store in parallel with their content type and cache control, leaves identical objects alone, refuses
/// to replace different ones unless asked to, then lists the target back to confirm every object and its size.
/// </summary>
public static class StorageRestoreEngine
{
    private const int UploadActivity = 4;
    private const int ListingActivity = 5;

    private static readonly string EmptySha256 = Convert.ToHexString(SHA256.HashData([])).ToLowerInvariant();

    public static async Task<StorageRestoreResult> RestoreAsync(StorageRestoreRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var set = request.Set;
        set.EnsureUsable();
        if (set.Kind != BackupKind.Storage || set.Manifest.Storage is not { } contents)
        {
            throw new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument,
                $"'{set.Id}' is a {set.Kind} set; only a storage set restores into Supabase Storage.", set.Id);
        }

        var buckets = SelectBuckets(set, contents, request.Buckets);
        var prefix = request.Prefix ?? "";
        var selected = contents.Objects
            .Where(o => buckets.Any(b => b.Id == o.Bucket) && o.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
        var store = new ContentStore(BackupRepository.Open(set.Repository).ObjectsPath);
        var absent = selected.Where(o => !store.Contains(o.Sha256, o.Size)).Select(o => o.ToString()).ToList();
        if (absent.Count > 0)
        {
            throw new HotmessException("StorageRestoreSourceIncomplete", FailureKind.InvalidData,
                $"The content of {absent.Count} object(s) of {set.Id} is missing from the repository or has the wrong size, so nothing was restored: " +
                $"{string.Join(", ", absent.Take(20).Select(a => $"'{a}'"))}{(absent.Count > 20 ? $" and {absent.Count - 20} more" : "")}. Run Test-HotmessBackup on the set.",
                absent.ToArray());
        }

        if (!string.IsNullOrEmpty(request.BucketPrefix))
        {
            // Restored beside the originals: same settings and objects, buckets renamed.
            buckets = buckets.Select(b => b.Renamed(request.BucketPrefix + b.Id, request.BucketPrefix + b.Name)).ToList();
            selected = selected.Select(o => o.InBucket(request.BucketPrefix + o.Bucket)).ToList();
        }

        var throttle = Math.Max(1, request.ThrottleLimit);
        var options = request.ClientOptions ?? new StorageClientOptions();
        using var client = new SupabaseStorageClient(request.SupabaseUrl, request.ServiceKey, options.WithConnectionsFor(throttle + 2), log);
        var result = new StorageRestoreResult
        {
            SetId = set.Id,
            Target = client.Endpoint.ToString(),
            StartedUtc = DateTimeOffset.UtcNow,
            Buckets = buckets.Select(b => b.Id).ToList(),
            ObjectCount = selected.Count,
            TotalBytes = selected.Sum(o => o.Size),
        };

        await EnsureBucketsAsync(client, buckets, result, log, cancellationToken).ConfigureAwait(false);
        var existing = await ListTargetAsync(client, buckets, prefix, throttle, log, cancellationToken).ConfigureAwait(false);

        var uploaded = 0;
        long uploadedBytes = 0;
        var skipped = 0;
        var conflicts = new ConcurrentBag<string>();
        var failures = new ConcurrentBag<StorageRestoreFailure>();
        var progress = new TransferProgress(log, UploadActivity, $"Restoring storage set {set.Id}", selected.Count, result.TotalBytes);
        try
        {
            await Parallel.ForEachAsync(selected.OrderByDescending(o => o.Size),
                new ParallelOptions { MaxDegreeOfParallelism = throttle, CancellationToken = cancellationToken },
                async (entry, token) =>
                {
                    try
                    {
                        var there = existing.GetValueOrDefault((entry.Bucket, entry.Key));
                        var upsert = false;
                        if (there is not null)
                        {
                            if (await IsSameAsync(client, entry, there, token).ConfigureAwait(false))
                            {
                                Interlocked.Increment(ref skipped);
                                progress.Add(entry.Size, entry.ToString());
                                return;
                            }

                            if (!request.Overwrite)
                            {
                                conflicts.Add(entry.ToString());
                                progress.Add(entry.Size, entry.ToString());
                                return;
                            }

                            upsert = true;
                        }

                        if (await UploadAsync(client, store, entry, upsert, token).ConfigureAwait(false))
                        {
                            Interlocked.Increment(ref uploaded);
                            Interlocked.Add(ref uploadedBytes, entry.Size);
                        }
                        else
                        {
                            conflicts.Add(entry.ToString());
                        }

                        progress.Add(entry.Size, entry.ToString());
                    }
                    catch (HotmessException ex) when (ex.Kind != FailureKind.AuthenticationFailed && ex.ErrorId != "StorageConnectionFailed")
                    {
                        log.Warning($"Could not restore '{entry}': {ex.Message}");
                        failures.Add(new StorageRestoreFailure(entry.ToString(), ex.ErrorId, ex.Kind, ex.Message));
                    }
                }).ConfigureAwait(false);
        }
        finally
        {
            progress.Complete();
        }

        result.UploadedCount = uploaded;
        result.UploadedBytes = uploadedBytes;
        result.SkippedCount = skipped;
        result.Conflicts.AddRange(conflicts.OrderBy(c => c, StringComparer.Ordinal));
        result.Failures.AddRange(failures.OrderBy(f => f.Object, StringComparer.Ordinal));

        await ConfirmAsync(client, buckets, prefix, selected, result, throttle, log, cancellationToken).ConfigureAwait(false);
        result.CompletedUtc = DateTimeOffset.UtcNow;
        log.Verbose($"Restored {set.Id} into '{result.Target}': {result.UploadedCount:N0} uploaded, {result.SkippedCount:N0} already there, " +
                    $"{result.Conflicts.Count:N0} conflicts, {result.Failures.Count:N0} failures; {result.VerifiedCount:N0} of {result.ObjectCount:N0} confirmed by listing.");
        return result;
    }

    private static List<StorageBucketEntry> SelectBuckets(BackupSet set, StorageContents contents, IReadOnlyList<string> wanted)
    {
        if (wanted.Count == 0)
        {
            return contents.Buckets;
        }

        return wanted.Distinct(StringComparer.Ordinal).Select(name =>
            contents.Buckets.FirstOrDefault(b => b.Id == name) ?? contents.Buckets.FirstOrDefault(b => b.Name == name)
            ?? throw new HotmessException("StorageBucketNotInSet", FailureKind.InvalidArgument,
                $"The storage set {set.Id} has no bucket '{name}'; it holds: {(contents.Buckets.Count == 0 ? "none" : string.Join(", ", contents.Buckets.Select(b => b.Id)))}.", name))
            .Distinct()
            .ToList();
    }

    private static async Task EnsureBucketsAsync(SupabaseStorageClient client, List<StorageBucketEntry> buckets, StorageRestoreResult result, IOperationLog log, CancellationToken cancellationToken)
    {
        var present = (await client.ListBucketsAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(b => b.Id, StringComparer.Ordinal);
        foreach (var bucket in buckets)
        {
            if (present.TryGetValue(bucket.Id, out var there))
            {
                var sameMimeTypes = (there.AllowedMimeTypes ?? []).SequenceEqual(bucket.AllowedMimeTypes ?? []);
                if (there.Public != bucket.Public || there.FileSizeLimit != bucket.FileSizeLimit || !sameMimeTypes)
                {
                    log.Warning($"Bucket '{bucket.Id}' exists with other settings than the set recorded (public {there.Public}, file size limit {there.FileSizeLimit?.ToString() ?? "none"}); they are left as they are.");
                }

                continue;
            }

            try
            {
                await client.CreateBucketAsync(new StorageBucketSettings
                {
                    Id = bucket.Id,
                    Name = bucket.Name,
                    Public = bucket.Public,
                    FileSizeLimit = bucket.FileSizeLimit,
                    AllowedMimeTypes = bucket.AllowedMimeTypes,
                    Type = bucket.Type,
                }, cancellationToken).ConfigureAwait(false);
                result.CreatedBuckets.Add(bucket.Id);
                log.Verbose($"Created bucket '{bucket.Id}' (public {bucket.Public}, file size limit {bucket.FileSizeLimit?.ToString() ?? "none"}).");
            }
            catch (StorageApiException ex) when (ex.ErrorId == "StorageBucketExists")
            {
                // Created meanwhile, or by an attempt whose answer was lost.
            }
        }
    }

    private static async Task<Dictionary<(string, string), StorageObjectInfo>> ListTargetAsync(SupabaseStorageClient client, List<StorageBucketEntry> buckets, string prefix,
        int throttle, IOperationLog log, CancellationToken cancellationToken)
    {
        // /object/list takes folders: list the folder holding the prefix and filter.
        var folder = prefix.Contains('/') ? prefix[..(prefix.LastIndexOf('/') + 1)] : "";
        var perBucket = await Task.WhenAll(buckets.Select(async bucket =>
        {
            var activity = $"Listing bucket '{bucket.Id}' in the target";
            return await client.ListObjectsAsync(bucket.Id, folder, throttle,
                count =>
                {
                    if (count % 250 == 0)
                    {
                        log.Progress(new OperationProgress(ListingActivity, activity, $"{count:N0} objects"));
                    }
                }, cancellationToken).ConfigureAwait(false);
        })).ConfigureAwait(false);
        log.Progress(new OperationProgress(ListingActivity, "Listing the target", "Done", Completed: true));
        var found = new Dictionary<(string, string), StorageObjectInfo>();
        foreach (var o in perBucket.SelectMany(o => o).Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)))
        {
            found[(o.Bucket, o.Key)] = o;
        }

        return found;
    }

    /// <summary>
    /// Same size and ETag is the same content; same size with another ETag (a multipart upload's, say) is settled by
    /// hashing what the target holds.
    /// </summary>
    private static async Task<bool> IsSameAsync(SupabaseStorageClient client, StorageObjectEntry entry, StorageObjectInfo there, CancellationToken cancellationToken)
    {
        if (there.Size is { } size && size != entry.Size)
        {
            return false;
        }

        if (there.ETag is not null && there.ETag == entry.ETag)
        {
            return true;
        }

        return await HashOfTargetAsync(client, entry, cancellationToken).ConfigureAwait(false) == entry.Sha256;
    }

    private static Task<string> HashOfTargetAsync(SupabaseStorageClient client, StorageObjectEntry entry, CancellationToken cancellationToken) =>
        client.DownloadAsync(entry.Bucket, entry.Key, async (download, token) =>
        {
            using var sha = SHA256.Create();
            var hash = await sha.ComputeHashAsync(download.Content, token).ConfigureAwait(false);
            return Convert.ToHexString(hash).ToLowerInvariant();
        }, cancellationToken);

    /// <summary>
    /// Uploads one object; false when the key was taken by different content in the meantime. A create that answers
    /// "already exists" after a retry may have been our own first attempt: the target's content decides. The blob is
    /// hashed as it is sent, and damaged content (<c>StorageObjectCorrupted</c>) is never sent whole nor tried again.
    /// </summary>
    private static async Task<bool> UploadAsync(SupabaseStorageClient client, ContentStore store, StorageObjectEntry entry, bool upsert, CancellationToken cancellationToken)
    {
        if (entry.Size == 0 && entry.Sha256 != EmptySha256)
        {
            // An empty body is never read by the upload, so it is checked here: no bytes have no other digest.
            throw new HotmessException("StorageObjectCorrupted", FailureKind.InvalidData,
                $"The stored content of '{entry}' does not match the set: it is empty, but the set records SHA-256 {entry.Sha256}. Run Test-HotmessBackup on the set.",
                entry.ToString());
        }

        VerifiedContentStream? opened = null;
        Stream Open()
        {
            if (opened?.Mismatch is { } damaged)
            {
                throw damaged;
            }

            return opened = new VerifiedContentStream(store.OpenRead(entry.Sha256), entry.ToString(), entry.Sha256, entry.Size);
        }

        try
        {
            await client.UploadAsync(entry.Bucket, entry.Key, Open, entry.Size, entry.ContentType, entry.CacheControl, upsert, cancellationToken)
                .ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (opened?.Mismatch is { } damaged && !ReferenceEquals(ex, damaged))
        {
            // However the transport reported the abandoned body, the damaged content is the reason.
            throw damaged;
        }
        catch (StorageApiException ex) when (ex.ErrorId == "StorageObjectExists")
        {
            return ex.AfterUncertainAttempt && await HashOfTargetAsync(client, entry, cancellationToken).ConfigureAwait(false) == entry.Sha256;
        }
    }

    private static async Task ConfirmAsync(SupabaseStorageClient client, List<StorageBucketEntry> buckets, string prefix, List<StorageObjectEntry> selected,
        StorageRestoreResult result, int throttle, IOperationLog log, CancellationToken cancellationToken)
    {
        var after = await ListTargetAsync(client, buckets, prefix, throttle, log, cancellationToken).ConfigureAwait(false);
        var failed = result.Failures.Select(f => f.Object).Concat(result.Conflicts).ToHashSet(StringComparer.Ordinal);
        var verified = 0;
        foreach (var entry in selected)
        {
            var there = after.GetValueOrDefault((entry.Bucket, entry.Key));
            if (there is not null && there.Size == entry.Size)
            {
                if (!failed.Contains(entry.ToString()))
                {
                    verified++;
                }
            }
            else if (!failed.Contains(entry.ToString()))
            {
                result.Failures.Add(new StorageRestoreFailure(entry.ToString(), "StorageRestoreUnconfirmed", FailureKind.InvalidData,
                    there is null
                        ? $"'{entry}' was restored but the target does not list it."
                        : $"'{entry}' was restored but the target lists it with {there.Size} bytes instead of {entry.Size}."));
            }
        }

        result.VerifiedCount = verified;
    }
}
