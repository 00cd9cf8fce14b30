using System.Collections.Concurrent;
using System.Reflection;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Storage;

/// <summary>What to back up, from where, into which repository.</summary>
public sealed class StorageBackupRequest
{
    public required Uri SupabaseUrl { get; init; }

    public required Secret ServiceKey { get; init; }

    public required string Repository { get; init; }

    /// <summary>Bucket ids (or names) to back up; empty for every bucket.</summary>
    public IReadOnlyList<string> Buckets { get; init; } = [];

    /// <summary>
    /// Downloads at once when nothing else is asked for. A download is one round trip of latency and little work
    /// on either side, so a backup is bound by round trips until about this many are in flight; Storage sets no
    /// request-rate limit of its own and answers database pressure with a 429 that is retried.
    /// </summary>
    public const int DefaultThrottleLimit = 24;

    /// <summary>Objects downloaded at once.</summary>
    public int ThrottleLimit { get; init; } = DefaultThrottleLimit;

    /// <summary>Download everything again instead of reusing unchanged objects.</summary>
    public bool Full { get; init; }

    /// <summary>
    /// Hash the stored content of each unchanged object before reusing it, instead of trusting a blob of the right
    /// size; content that fails is downloaded again, which repairs the store.
    /// </summary>
    public bool VerifyContentStore { get; init; }

    public StorageClientOptions? ClientOptions { get; init; }
}

/// <summary>
/// Backs up Supabase Storage into the repository's content store: lists every bucket and object, reuses what an
/// earlier run already stored for an unchanged object (same size, ETag and last-modified) when its blob has the
/// recorded size (and digest, when asked to verify the store), downloads the rest with bounded parallelism while
/// hashing, and writes the manifest last. A set is complete only when every listed object
/// is in the store; otherwise no set is recorded and the error names the objects that could not be fetched.
/// </summary>
public static class StorageBackupEngine
{
    private const int ListingActivity = 1;
    private const int DownloadActivity = 2;
    private const int MaxNamedFailures = 20;

    /// <summary>Folder listings at once per bucket: each is a database query in Storage, heavier than a download.</summary>
    private const int MaxListingsPerBucket = 8;

    private static readonly string ModuleVersion =
        typeof(StorageBackupEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static async Task<StorageBackupSet> BackupAsync(StorageBackupRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var throttle = Math.Max(1, request.ThrottleLimit);
        var repository = BackupRepository.OpenOrCreate(request.Repository);
        using var storageLock = repository.Lock(BackupKind.Storage, log);
        var startedUtc = DateTimeOffset.UtcNow;
        var store = repository.Content;
        var journalFolder = StorageFetchJournal.FolderOf(repository);

        var options = request.ClientOptions ?? new StorageClientOptions();
        using var client = new SupabaseStorageClient(request.SupabaseUrl, request.ServiceKey, options.WithConnectionsFor(throttle + 2), log);

        // What earlier runs stored is read from disk while the listing waits on the network.
        var earlierRuns = request.Full
            ? Task.FromResult(new EarlierRuns([], new Dictionary<(string, string), StorageObjectEntry>(), new Dictionary<string, ContentState>()))
            : Task.Run(() => ReusableAsync(repository, store, journalFolder, request.VerifyContentStore, log, cancellationToken), cancellationToken);
        var buckets = await SelectBucketsAsync(client, request.Buckets, cancellationToken).ConfigureAwait(false);
        var listed = await ListAsync(client, buckets, throttle, log, cancellationToken).ConfigureAwait(false);
        var (journals, reusable, stored) = await earlierRuns.ConfigureAwait(false);

        // Unchanged objects whose content is sound in the store are recorded without a download; damaged content is
        // downloaded again, and storing it afresh repairs the blob.
        var entries = new ConcurrentDictionary<(string Bucket, string Key), StorageObjectEntry>();
        var toFetch = new List<StorageObjectInfo>();
        foreach (var item in listed)
        {
            if (reusable.TryGetValue((item.Bucket, item.Key), out var earlier) && IsUnchanged(earlier, item))
            {
                var state = stored.GetValueOrDefault(earlier.Sha256, ContentState.Missing);
                if (state == ContentState.Present)
                {
                    entries[(item.Bucket, item.Key)] = Entry(item, earlier.Sha256, earlier.Size, null);
                    continue;
                }

                log.Warning(state switch
                {
                    ContentState.WrongSize => $"The stored content of '{item}' does not have its recorded size of {earlier.Size} bytes; it is downloaded again.",
                    ContentState.Corrupt => $"The stored content of '{item}' does not match its recorded SHA-256; it is downloaded again.",
                    _ => $"The stored content of '{item}' is missing from the repository; it is downloaded again.",
                });
            }

            toFetch.Add(item);
        }

        var reused = entries.Count;
        log.Verbose($"{listed.Count:N0} objects listed: {reused:N0} unchanged and already stored, {toFetch.Count:N0} to download.");

        var pending = repository.BeginSet(BackupKind.Storage, startedUtc);
        try
        {
            var (downloadedBytes, failures) = await DownloadAsync(client, store, pending.Id, journalFolder, toFetch, entries, throttle, log, cancellationToken).ConfigureAwait(false);
            if (failures.Count > 0)
            {
                throw Incomplete(failures, listed.Count, entries.Count);
            }

            var contents = new StorageContents
            {
                Endpoint = client.Endpoint.ToString(),
                Full = request.Full,
                Buckets = buckets.Select(b => BucketEntry(b, entries.Values)).ToList(),
                Objects = entries.Values.OrderBy(e => e.Bucket, StringComparer.Ordinal).ThenBy(e => e.Key, StringComparer.Ordinal).ToList(),
                DownloadedCount = entries.Count - reused,
                DownloadedBytes = downloadedBytes,
                ReusedCount = reused,
            };
            var set = pending.Complete(new BackupManifest
            {
                Source = new BackupSource { Host = client.Endpoint.Host, Project = client.Endpoint.GetLeftPart(UriPartial.Authority) },
                Tools = new Dictionary<string, string> { ["HotmessRecovery"] = ModuleVersion, ["supabase-storage"] = "api" },
                Storage = contents,
            });

            // The manifest now records what the journals did; a later run reads it instead.
            foreach (var journal in journals.Append(StorageFetchJournal.PathFor(journalFolder, pending.Id)))
            {
                File.Delete(journal);
            }

            log.Verbose($"Storage set {set.Id}: {contents.ObjectCount:N0} objects in {contents.Buckets.Count} buckets, {contents.DownloadedCount:N0} downloaded, {contents.ReusedCount:N0} reused.");
            return new StorageBackupSet(set.Repository, set.Path, set.Manifest);
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    /// <summary>An object is unchanged when Storage reports the same size, ETag and last-modified as when its content was stored.</summary>
    internal static bool IsUnchanged(StorageObjectEntry earlier, StorageObjectInfo now) =>
        now.Size == earlier.Size && now.ETag is not null && now.ETag == earlier.ETag && now.LastModified is not null && now.LastModified == earlier.LastModified;

    /// <summary>Every object of the buckets. They are walked at once: listing is a chain of round trips, so it costs latency rather than bandwidth.</summary>
    private static async Task<List<StorageObjectInfo>> ListAsync(SupabaseStorageClient client, List<StorageBucket> buckets, int throttle, IOperationLog log,
        CancellationToken cancellationToken)
    {
        var count = 0;
        var perBucket = await Task.WhenAll(buckets.Select(async bucket =>
        {
            var objects = await client.ListObjectsAsync(bucket.Id, "", Math.Min(throttle, MaxListingsPerBucket), _ =>
            {
                var listed = Interlocked.Increment(ref count);
                if (listed % 250 == 0)
                {
                    log.Progress(new OperationProgress(ListingActivity, "Listing Supabase Storage", $"{listed:N0} objects", CurrentOperation: bucket.Id));
                }
            }, cancellationToken).ConfigureAwait(false);
            log.Verbose($"Bucket '{bucket.Id}': {objects.Count:N0} objects, {objects.Sum(o => o.Size ?? 0) / 1048576.0:N1} MB.");
            return objects;
        })).ConfigureAwait(false);
        log.Progress(new OperationProgress(ListingActivity, "Listing Supabase Storage", "Done", Completed: true));
        return perBucket.SelectMany(o => o).ToList();
    }

    private static async Task<List<StorageBucket>> SelectBucketsAsync(SupabaseStorageClient client, IReadOnlyList<string> wanted, CancellationToken cancellationToken)
    {
        var all = await client.ListBucketsAsync(cancellationToken).ConfigureAwait(false);
        if (wanted.Count == 0)
        {
            return all.OrderBy(b => b.Id, StringComparer.Ordinal).ToList();
        }

        var selected = new List<StorageBucket>();
        foreach (var name in wanted.Distinct(StringComparer.Ordinal))
        {
            var bucket = all.FirstOrDefault(b => b.Id == name) ?? all.FirstOrDefault(b => b.Name == name)
                ?? throw new HotmessException("StorageBucketNotFound", FailureKind.NotFound,
                    $"The project has no bucket '{name}'; its buckets are: {(all.Count == 0 ? "none" : string.Join(", ", all.Select(b => b.Id)))}.", name);
            if (!selected.Contains(bucket))
            {
                selected.Add(bucket);
            }
        }

        return selected;
    }

    /// <summary>
    /// What earlier runs stored: the objects of the newest complete storage set, then those in the journals of runs
    /// that did not complete, and the state of their content in the store. A blob counts as present when it has the
    /// recorded size, or (with <paramref name="verify"/>) when its bytes hash to its name: a truncated blob is never
    /// reused, and a verified run catches a flipped byte as well.
    /// </summary>
    private static async Task<EarlierRuns> ReusableAsync(BackupRepository repository, ContentStore store, string journalFolder, bool verify, IOperationLog log,
        CancellationToken cancellationToken)
    {
        var entries = new Dictionary<(string, string), StorageObjectEntry>();
        try
        {
            if (repository.GetSets(BackupKind.Storage).FirstOrDefault()?.Manifest.Storage is { } previous)
            {
                foreach (var entry in previous.Objects)
                {
                    entries[(entry.Bucket, entry.Key)] = entry;
                }

                log.Verbose($"Comparing with the previous storage set ({previous.ObjectCount:N0} objects).");
            }
        }
        catch (HotmessException ex) when (ex.ErrorId == "ManifestInvalid")
        {
            log.Warning($"{ex.Message} Objects are downloaded again.");
        }

        var (journals, journaled) = StorageFetchJournal.ReadAll(journalFolder);
        foreach (var entry in journaled)
        {
            entries[(entry.Bucket, entry.Key)] = entry;
        }

        if (journaled.Count > 0)
        {
            log.Verbose($"{journaled.Count:N0} objects stored by runs that did not complete can be reused.");
        }

        var contents = entries.Values.GroupBy(e => e.Sha256, StringComparer.Ordinal).Select(g => g.First()).ToList();
        var states = new ConcurrentDictionary<string, ContentState>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(contents,
            new ParallelOptions { MaxDegreeOfParallelism = verify ? Math.Clamp(System.Environment.ProcessorCount, 2, 8) : 1, CancellationToken = cancellationToken },
            async (entry, token) => states[entry.Sha256] = (await store.CheckAsync(entry.Sha256, entry.Size, verify, token).ConfigureAwait(false)).State)
            .ConfigureAwait(false);
        if (verify)
        {
            log.Verbose($"Hashed the {contents.Count:N0} stored contents earlier runs recorded: {states.Values.Count(s => s != ContentState.Present):N0} damaged or missing.");
        }

        return new EarlierRuns(journals, entries, states);
    }

    private static async Task<(long Bytes, List<(string Name, string Reason)> Failures)> DownloadAsync(SupabaseStorageClient client, ContentStore store, string setId,
        string journalFolder, List<StorageObjectInfo> toFetch, ConcurrentDictionary<(string, string), StorageObjectEntry> entries, int throttle,
        IOperationLog log, CancellationToken cancellationToken)
    {
        var failures = new ConcurrentBag<(string Name, string Reason)>();
        if (toFetch.Count == 0)
        {
            return (0, []);
        }

        var progress = new TransferProgress(log, DownloadActivity, "Backing up Supabase Storage", toFetch.Count, toFetch.Sum(o => o.Size ?? 0));
        using var journal = new StorageFetchJournal(journalFolder, setId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        HotmessException? fatal = null;
        try
        {
            // Largest first: the long transfers start early instead of trailing at the end.
            await Parallel.ForEachAsync(toFetch.OrderByDescending(o => o.Size ?? 0),
                new ParallelOptions { MaxDegreeOfParallelism = throttle, CancellationToken = stop.Token },
                async (item, token) =>
                {
                    try
                    {
                        var (content, download) = await client.DownloadAsync(item.Bucket, item.Key, async (d, t) =>
                            (await store.AddAsync(d.Content, d.ContentLength, t).ConfigureAwait(false), d), token).ConfigureAwait(false);
                        var entry = Entry(item, content.Sha256, content.Size, download);
                        journal.Record(entry);
                        entries[(item.Bucket, item.Key)] = entry;
                        progress.Add(content.Size, item.ToString());
                    }
                    catch (StorageApiException ex) when (ex.ErrorId == "StorageObjectNotFound")
                    {
                        log.Warning($"'{item}' was deleted after it was listed; the set leaves it out.");
                    }
                    catch (HotmessException ex) when (ex.Kind == FailureKind.AuthenticationFailed || ex.ErrorId == "StorageConnectionFailed")
                    {
                        // About the service, not the object: every other download would fail the same way.
                        Interlocked.CompareExchange(ref fatal, ex, null);
                        await stop.CancelAsync().ConfigureAwait(false);
                    }
                    catch (HotmessException ex)
                    {
                        log.Warning($"Could not fetch '{item}': {ex.Message}");
                        failures.Add((item.ToString(), ex.ErrorId));
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (fatal is not null && !cancellationToken.IsCancellationRequested)
        {
            // Stopped because the service failed as a whole; that failure is reported below.
        }
        finally
        {
            progress.Complete();
        }

        if (fatal is not null)
        {
            throw fatal;
        }

        return (progress.Bytes, failures.ToList());
    }

    private static HotmessException Incomplete(List<(string Name, string Reason)> failures, int listed, int stored)
    {
        var named = string.Join("; ", failures.OrderBy(f => f.Name, StringComparer.Ordinal).Take(MaxNamedFailures).Select(f => $"'{f.Name}' ({f.Reason})"));
        var more = failures.Count > MaxNamedFailures ? $"; and {failures.Count - MaxNamedFailures} more" : "";
        return new HotmessException("StorageBackupIncomplete", FailureKind.RemoteServiceFailed,
            $"The storage backup is incomplete and was not recorded: {failures.Count} of {listed} objects could not be fetched: {named}{more}. " +
            $"The {stored} objects already stored are reused by the next run.",
            failures.Select(f => f.Name).OrderBy(n => n, StringComparer.Ordinal).ToArray());
    }

    /// <summary>
    /// The manifest entry of an object. When the download shows a different version than the listing (the object
    /// changed in between), the headers of what was actually stored win.
    /// </summary>
    private static StorageObjectEntry Entry(StorageObjectInfo item, string sha256, long size, StorageDownload? download)
    {
        var changed = download?.ETag is { } eTag && item.ETag is not null && eTag != item.ETag;
        return new StorageObjectEntry
        {
            Bucket = item.Bucket,
            Key = item.Key,
            Size = size,
            Sha256 = sha256,
            ContentType = changed ? download!.ContentType : item.ContentType ?? download?.ContentType,
            CacheControl = changed ? download!.CacheControl : item.CacheControl ?? download?.CacheControl,
            ETag = changed ? download!.ETag : item.ETag ?? download?.ETag,
            LastModified = changed ? download!.LastModified : item.LastModified ?? download?.LastModified,
        };
    }

    private static StorageBucketEntry BucketEntry(StorageBucket bucket, IEnumerable<StorageObjectEntry> entries)
    {
        var objects = entries.Where(e => e.Bucket == bucket.Id).ToList();
        return new StorageBucketEntry
        {
            Id = bucket.Id,
            Name = bucket.Name,
            Public = bucket.Public,
            FileSizeLimit = bucket.FileSizeLimit,
            AllowedMimeTypes = bucket.AllowedMimeTypes,
            Type = bucket.Type,
            ObjectCount = objects.Count,
            TotalBytes = objects.Sum(o => o.Size),
        };
    }

    private sealed record EarlierRuns(List<string> Journals, Dictionary<(string, string), StorageObjectEntry> Entries, IReadOnlyDictionary<string, ContentState> Stored);
}
