using System.Diagnostics;
using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Retention;

/// <summary>
/// Applies retention to a repository: decides which sets a policy keeps, removes the others, then removes the
/// content-store objects no remaining storage set and no resumable journal refers to, and incomplete sets: all of a
/// kind no run is writing (its lock is free), and those abandoned over a day ago while a run of the kind is writing.
/// <para>
/// Objects are pruned under the repository's storage lock, the one a storage backup holds for its whole run (from
/// reading what earlier sets stored to writing its manifest). A prune therefore never runs between a backup's
/// decision to reuse an object and the manifest that records it: it waits for a running storage backup to end,
/// and a storage backup that starts during a prune is refused (<c>RepositoryLocked</c>) rather than left pointing
/// at an object being deleted.
/// </para>
/// </summary>
public static class BackupPruner
{
    /// <summary>An incomplete set older than this is a run that died, not one still writing.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromDays(1);

    private static readonly TimeSpan LockPollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// One decision per complete set of the repository (of <paramref name="kind"/>, when given); sets of a kind named in
    /// <paramref name="kindPolicies"/> follow that kind's own policy (<see cref="RetentionPlanner"/>).
    /// </summary>
    public static IReadOnlyList<RetentionDecision> Plan(BackupRepository repository, BackupKind? kind, RetentionPolicy policy, DateTimeOffset now,
        IReadOnlyDictionary<BackupKind, RetentionPolicy>? kindPolicies = null)
    {
        policy.Validate();
        var candidates = repository.GetSets(kind)
            .Select(s => new RetentionCandidate(s.Id, s.Kind, s.Source, s.StartedUtc, PassedAVerification(repository, s.Id)));
        return RetentionPlanner.Plan(candidates, policy, now, kindPolicies);
    }

    /// <summary>A verification record that cannot be read proves nothing: the set counts as not verified, and the rest are planned.</summary>
    private static bool PassedAVerification(BackupRepository repository, string setId)
    {
        try
        {
            return repository.GetVerifications(setId).Any(v => v.Passed);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// A decision to remove each set named, whatever a policy would say; a damaged set can be removed this way. An id
    /// that is not a set of the repository is refused.
    /// </summary>
    public static IReadOnlyList<RetentionDecision> Requested(BackupRepository repository, IEnumerable<string> ids) =>
        ids.Distinct(StringComparer.Ordinal)
            .Select(id => repository.GetSet(id, includeDamaged: true))
            .Select(s => new RetentionDecision(s.Id, s.Kind, s.Source, s.StartedUtc, RetentionAction.Remove, []))
            .ToList();

    /// <summary>
    /// Removes the sets <paramref name="setIds"/>, then (with <paramref name="prune"/>) the content-store objects and
    /// abandoned incomplete sets no one needs. Waits up to <paramref name="lockTimeout"/> for a running storage backup
    /// before touching storage sets or objects.
    /// </summary>
    public static async Task<BackupPruneResult> RemoveAsync(BackupRepository repository, IReadOnlyCollection<string> setIds, bool prune,
        DateTimeOffset now, TimeSpan lockTimeout, IOperationLog log, CancellationToken cancellationToken)
    {
        var sets = setIds.Distinct(StringComparer.Ordinal).Select(id => repository.GetSet(id, includeDamaged: true)).ToList();
        var removed = new List<string>();
        var incomplete = 0;

        // Nothing reads earlier database or environment sets while it writes, so these go without waiting.
        foreach (var set in sets.Where(s => s.Kind != BackupKind.Storage))
        {
            RemoveSet(repository, set, log);
            removed.Add(set.Id);
        }

        if (prune)
        {
            foreach (var kind in BackupKinds.All.Select(k => k.Kind).Where(k => k != BackupKind.Storage))
            {
                incomplete += RemoveAbandonedUnlessRunning(repository, kind, now, log);
            }
        }

        if (!prune && sets.TrueForAll(s => s.Kind != BackupKind.Storage))
        {
            return new BackupPruneResult(removed, 0, 0, 0);
        }

        var incompleteStorage = IncompletePaths(repository, BackupKind.Storage);
        using (await LockWaitingAsync(repository, BackupKind.Storage, lockTimeout, log, cancellationToken).ConfigureAwait(false))
        {
            // Taking the lock removed what killed storage runs left (a set the awaited run completed stays).
            incomplete += incompleteStorage.Count(p => !Directory.Exists(p));
            foreach (var set in sets.Where(s => s.Kind == BackupKind.Storage))
            {
                RemoveSet(repository, set, log);
                removed.Add(set.Id);
            }

            if (!prune)
            {
                return new BackupPruneResult(removed, 0, 0, incomplete);
            }

            var (objects, bytes) = PruneObjects(repository, log, cancellationToken);
            return new BackupPruneResult(removed, objects, bytes, incomplete);
        }
    }

    /// <summary>
    /// Removes one set: its manifest first, so a set half removed is an incomplete set (never listed, removed later
    /// as abandoned) rather than a listed set with files missing; then its folder and its verifications.
    /// </summary>
    internal static void RemoveSet(BackupRepository repository, BackupSet set, IOperationLog log)
    {
        File.Delete(Path.Combine(set.Path, BackupRepository.ManifestFileName));
        try
        {
            Directory.Delete(set.Path, recursive: true);
            var verifications = Path.Combine(repository.VerificationsPath, set.Id);
            if (Directory.Exists(verifications))
            {
                Directory.Delete(verifications, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.Warning($"The set '{set.Id}' is no longer listed, but its folder could not be removed yet ({ex.Message}); a later run removes it.");
            return;
        }

        log.Verbose($"Removed the {set.Kind} set '{set.Id}' started {set.StartedUtc.UtcDateTime:u}.");
    }

    /// <summary>
    /// Deletes every blob of the content store that no storage manifest and no journal of an interrupted run refers
    /// to. Call it only under the storage lock: then no backup is between choosing a blob and recording it.
    /// </summary>
    internal static (int Objects, long Bytes) PruneObjects(BackupRepository repository, IOperationLog log, CancellationToken cancellationToken)
    {
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var set in repository.GetSets(BackupKind.Storage, includeDamaged: true))
        {
            if (set is not StorageBackupSet storage || set.State != BackupSetState.Complete)
            {
                throw new HotmessException("PruneUnsafe", FailureKind.InvalidData,
                    $"The manifest of the storage set '{set.Id}' cannot be read, so which objects it needs is unknown: no object was pruned. "
                    + "Repair the set, or remove it by id (Remove-HotmessBackup -Id), then run again.", set.Id);
            }

            referenced.UnionWith(storage.Contents.Objects.Select(o => o.Sha256));
        }

        referenced.UnionWith(StorageFetchJournal.ReadAll(StorageFetchJournal.FolderOf(repository)).Entries.Select(e => e.Sha256));

        var store = new ContentStore(repository.ObjectsPath);
        store.RemoveTemporaryFiles();
        var objects = 0;
        long bytes = 0;
        foreach (var digest in store.Digests())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (referenced.Contains(digest))
            {
                continue;
            }

            var file = new FileInfo(store.PathOf(digest));
            var size = file.Exists ? file.Length : 0;
            file.Delete();
            objects++;
            bytes += size;
        }

        if (objects > 0)
        {
            log.Verbose(string.Create(CultureInfo.InvariantCulture, $"Removed {objects:N0} content-store object(s) no set refers to ({bytes:N0} bytes)."));
        }

        return (objects, bytes);
    }

    /// <summary>
    /// Incomplete sets of <paramref name="kind"/>: taking the kind's lock removes them all, since no run of the kind
    /// is writing then. While a run holds the lock, only those started over a day ago go: none of them is that run's.
    /// </summary>
    private static int RemoveAbandonedUnlessRunning(BackupRepository repository, BackupKind kind, DateTimeOffset now, IOperationLog log)
    {
        var before = IncompletePaths(repository, kind);
        try
        {
            using (repository.Lock(kind, log))
            {
                return before.Count(p => !Directory.Exists(p));
            }
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryLocked")
        {
            return RemoveAbandoned(repository, kind, now, log);
        }
    }

    private static int RemoveAbandoned(BackupRepository repository, BackupKind kind, DateTimeOffset now, IOperationLog log)
    {
        var removed = 0;
        foreach (var folder in repository.GetIncompleteSetPaths())
        {
            var id = Path.GetFileName(folder);
            if (!BackupSetId.TryParse(id, out var folderKind, out var started) || folderKind != kind || now - started < AbandonedAfter)
            {
                continue;
            }

            try
            {
                Directory.Delete(folder, recursive: true);
                removed++;
                log.Verbose($"Removed the incomplete {kind} set '{id}', abandoned since {started.UtcDateTime:u}.");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                log.Verbose($"The incomplete set '{id}' could not be removed yet: {ex.Message}");
            }
        }

        return removed;
    }

    private static List<string> IncompletePaths(BackupRepository repository, BackupKind kind) =>
        repository.GetIncompleteSetPaths().Where(p => BackupSetId.TryParse(Path.GetFileName(p), out var k, out _) && k == kind).ToList();

    private static async Task<RepositoryLock> LockWaitingAsync(BackupRepository repository, BackupKind kind, TimeSpan timeout, IOperationLog log,
        CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        var told = false;
        while (true)
        {
            try
            {
                return repository.Lock(kind, log);
            }
            catch (HotmessException ex) when (ex.ErrorId == "RepositoryLocked")
            {
                if (waited.Elapsed >= timeout)
                {
                    throw new HotmessException("RepositoryLocked", FailureKind.Timeout,
                        $"A {kind.ToString().ToLowerInvariant()} backup held the repository '{repository.Root}' for longer than {timeout:c}; "
                        + "the sets not yet removed and the unreferenced objects are left for a later run.", repository.Root, ex);
                }

                if (!told)
                {
                    log.Verbose($"A {kind.ToString().ToLowerInvariant()} backup is running; waiting for it to end before removing its sets and objects.");
                    told = true;
                }

                await Task.Delay(LockPollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
