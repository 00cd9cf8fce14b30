using System.Collections.Concurrent;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Storage;

/// <summary>
/// Checks a storage set against the content store: every object of the manifest present with its size (always
/// all of them), and its SHA-256 for all of them or for a random sample of the distinct contents. Failing checks
/// name the objects.
/// </summary>
public static class StorageVerifier
{
    public const string Category = "Objects";

    private const int ProgressActivity = 3;
    private const int MaxNamed = 50;

    public static async Task<BackupVerification> VerifyAsync(BackupSet set, double samplePercent, IOperationLog log, CancellationToken cancellationToken)
    {
        var verification = new BackupVerification
        {
            SetId = set.Id,
            Kind = set.Kind,
            Repository = set.Repository,
            StartedUtc = DateTimeOffset.UtcNow,
            Manifest = set.Manifest,
        };
        if (set.Manifest.Storage is not { } contents)
        {
            verification.Add("Storage manifest", false, "a list of buckets and objects", "none", Category, $"{set.Id} is not a storage set.");
            verification.CompletedUtc = DateTimeOffset.UtcNow;
            return verification;
        }

        var store = new ContentStore(BackupRepository.Open(set.Repository).ObjectsPath);
        var objects = contents.Objects;
        var missing = new List<StorageObjectEntry>();
        var wrongSize = new List<(StorageObjectEntry Entry, long? Actual)>();
        foreach (var entry in objects)
        {
            var check = await store.CheckAsync(entry.Sha256, entry.Size, hash: false, cancellationToken).ConfigureAwait(false);
            if (check.State == ContentState.Missing)
            {
                missing.Add(entry);
            }
            else if (check.State == ContentState.WrongSize)
            {
                wrongSize.Add((entry, check.ActualSize));
            }
        }

        verification.Add("Objects present in the content store", missing.Count == 0,
            $"{objects.Count:N0} objects", $"{objects.Count - missing.Count:N0} present{Names(missing.Select(m => m.ToString()), " missing")}", Category,
            missing.Count == 0 ? null : "Missing: " + string.Join(", ", missing.Take(MaxNamed).Select(m => $"'{m}' (sha256 {m.Sha256})")));
        verification.Add("Object sizes", wrongSize.Count == 0,
            $"{objects.Count - missing.Count:N0} objects of the recorded size", $"{objects.Count - missing.Count - wrongSize.Count:N0} of the recorded size{Names(wrongSize.Select(w => w.Entry.ToString()), " wrong")}", Category,
            wrongSize.Count == 0 ? null : "Wrong size: " + string.Join(", ", wrongSize.Take(MaxNamed).Select(w => $"'{w.Entry}' ({w.Actual} bytes, recorded {w.Entry.Size})")));

        // Hash each distinct content once; identical objects share a blob.
        var bad = missing.Select(m => m.Sha256).Concat(wrongSize.Select(w => w.Entry.Sha256)).ToHashSet(StringComparer.Ordinal);
        var candidates = objects.Where(o => !bad.Contains(o.Sha256)).GroupBy(o => o.Sha256, StringComparer.Ordinal).Select(g => g.First()).ToArray();
        var percent = Math.Clamp(samplePercent, 0, 100);
        var sampleSize = percent >= 100 ? candidates.Length : Math.Min(candidates.Length, (int)Math.Ceiling(candidates.Length * percent / 100));
        if (sampleSize < candidates.Length)
        {
            Random.Shared.Shuffle(candidates);
        }

        var sample = candidates.Take(sampleSize).ToList();
        var corrupt = new ConcurrentBag<string>();
        var hashed = 0;
        var activity = $"Hashing the objects of {set.Id}";
        await Parallel.ForEachAsync(sample, new ParallelOptions { MaxDegreeOfParallelism = Math.Clamp(System.Environment.ProcessorCount, 2, 8), CancellationToken = cancellationToken },
            async (entry, token) =>
            {
                var check = await store.CheckAsync(entry.Sha256, entry.Size, hash: true, token).ConfigureAwait(false);
                if (check.State != ContentState.Present)
                {
                    corrupt.Add(entry.Sha256);
                }

                var done = Interlocked.Increment(ref hashed);
                log.Progress(new OperationProgress(ProgressActivity, activity, $"{done:N0} of {sample.Count:N0}", 100 * done / Math.Max(1, sample.Count), entry.ToString()));
            }).ConfigureAwait(false);
        log.Progress(new OperationProgress(ProgressActivity, activity, "Done", Completed: true));

        var corruptObjects = objects.Where(o => corrupt.Contains(o.Sha256)).Select(o => o.ToString()).Order(StringComparer.Ordinal).ToList();
        var scope = sampleSize == candidates.Length ? "every stored content" : $"a random {percent:0.##}% sample ({sampleSize:N0} of {candidates.Length:N0} distinct contents)";
        verification.Add("Object content (SHA-256)", corruptObjects.Count == 0,
            $"{scope} matches its SHA-256", $"{sampleSize - corrupt.Count:N0} of {sampleSize:N0} match{Names(corruptObjects, " corrupt")}", Category,
            corruptObjects.Count == 0 ? null : "Corrupt: " + string.Join(", ", corruptObjects.Take(MaxNamed).Select(c => $"'{c}'")));

        var bucketsAgree = contents.Buckets.All(b =>
            b.ObjectCount == objects.Count(o => o.Bucket == b.Id) && b.TotalBytes == objects.Where(o => o.Bucket == b.Id).Sum(o => o.Size))
            && objects.All(o => contents.Buckets.Any(b => b.Id == o.Bucket));
        verification.Add("Bucket totals", bucketsAgree,
            $"{contents.Buckets.Count} buckets whose counts and bytes add up to the objects", bucketsAgree ? "they do" : "they do not", Category);

        log.Verbose($"Storage set {set.Id}: {missing.Count} missing, {wrongSize.Count} of the wrong size, {corrupt.Count} corrupt of {sampleSize:N0} hashed.");
        verification.CompletedUtc = DateTimeOffset.UtcNow;
        return verification;
    }

    private static string Names(IEnumerable<string> names, string label)
    {
        var list = names.ToList();
        if (list.Count == 0)
        {
            return "";
        }

        var shown = string.Join(", ", list.Take(5).Select(n => $"'{n}'"));
        return $"; {list.Count:N0}{label}: {shown}{(list.Count > 5 ? ", …" : "")}";
    }
}
