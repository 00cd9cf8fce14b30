using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Retention;

/// <summary>
/// Retention for an object repository, with the same decisions as a local one (<see cref="RetentionPlanner"/>):
/// removes the sets given, manifest first (a set half removed is never listed), then their files and
/// verifications; then every file, object and verification no remaining manifest refers to, which includes what
/// interrupted copies left. All of it under the repository's lease, the one every copy holds for its whole run, so
/// no copy is between uploading an object and writing the manifest that refers to it while objects go.
/// </summary>
public static class ObjectRepositoryPruner
{
    public static async Task<IReadOnlyList<RetentionDecision>> PlanAsync(ObjectRepository repository, BackupKind? kind, RetentionPolicy policy, DateTimeOffset now,
        IReadOnlyDictionary<BackupKind, RetentionPolicy>? kindPolicies, IOperationLog log, CancellationToken cancellationToken)
    {
        policy.Validate();
        var sets = await repository.GetSetsAsync(kind, log, cancellationToken).ConfigureAwait(false);
        var verified = (await repository.GetVerificationsAsync(log, cancellationToken).ConfigureAwait(false))
            .Where(v => v.Verification.Passed)
            .Select(v => v.Verification.SetId)
            .ToHashSet(StringComparer.Ordinal);
        return RetentionPlanner.Plan(sets.Select(s => new RetentionCandidate(s.Id, s.Kind, s.Source, s.StartedUtc, verified.Contains(s.Id))), policy, now, kindPolicies);
    }

    /// <summary>A decision to remove each set named; a damaged one can be removed this way. An id that is not a set there is refused.</summary>
    public static async Task<IReadOnlyList<RetentionDecision>> RequestedAsync(ObjectRepository repository, IEnumerable<string> ids, CancellationToken cancellationToken)
    {
        var decisions = new List<RetentionDecision>();
        foreach (var id in ids.Distinct(StringComparer.Ordinal))
        {
            var set = await repository.GetSetAsync(id, includeDamaged: true, cancellationToken).ConfigureAwait(false);
            decisions.Add(new RetentionDecision(set.Id, set.Kind, set.Source, set.StartedUtc, RetentionAction.Remove, []));
        }

        return decisions;
    }

    public static async Task<BackupPruneResult> RemoveAsync(ObjectRepository repository, IReadOnlyCollection<string> setIds, bool prune, TimeSpan lockTimeout,
        IOperationLog log, CancellationToken cancellationToken)
    {
        await using var lease = await repository.LockAsync(lockTimeout, log, cancellationToken).ConfigureAwait(false);
        var store = repository.Store;
        var removed = new List<string>();
        foreach (var id in setIds.Distinct(StringComparer.Ordinal))
        {
            lease.EnsureHeld();
            var set = await repository.GetSetAsync(id, includeDamaged: true, cancellationToken).ConfigureAwait(false);
            await store.DeleteAsync(ObjectRepositoryLayout.ManifestName(repository.Key, id), cancellationToken).ConfigureAwait(false);
            foreach (var file in set.Manifest.Files)
            {
                await store.DeleteAsync(ObjectRepositoryLayout.FileName(repository.Key, id, file.Path), cancellationToken).ConfigureAwait(false);
            }

            removed.Add(id);
            log.Verbose($"Removed the {set.Kind} set '{id}' started {set.StartedUtc.UtcDateTime:u} from '{repository.Location}'.");
        }

        if (!prune)
        {
            return new BackupPruneResult(removed, 0, 0, 0);
        }

        var unreadable = new List<string>();
        var remaining = await repository.GetSetsAsync(null, log, cancellationToken, unreadable).ConfigureAwait(false);
        if (unreadable.Count > 0)
        {
            throw new HotmessException("PruneUnsafe", FailureKind.InvalidData,
                $"The manifest object '{unreadable[0]}' in '{repository.Location}' cannot be read, so which files and objects it needs is unknown: none was pruned. "
                + "Remove the damaged set by id (Remove-HotmessBackup -Id), then run again.", unreadable[0]);
        }

        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var set in remaining)
        {
            referenced.UnionWith(set.Manifest.Files.Select(f => ObjectRepositoryLayout.FileName(repository.Key, set.Id, f.Path)));
            referenced.UnionWith((set.Manifest.Storage?.Objects ?? []).Select(o => ObjectRepositoryLayout.ContentName(repository.Key, o.Sha256)));
        }

        var ids = remaining.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var verification in await repository.GetVerificationsAsync(log, cancellationToken).ConfigureAwait(false))
        {
            if (ids.Contains(verification.Verification.SetId))
            {
                referenced.Add(verification.Name);
            }
        }

        var objects = 0;
        long bytes = 0;
        foreach (var folder in new[] { ObjectRepositoryLayout.FilesFolder, ObjectRepositoryLayout.ObjectsFolder, ObjectRepositoryLayout.VerificationsFolder })
        {
            var unreferenced = new List<(string Name, long Length)>();
            await foreach (var info in store.ListAsync(folder, cancellationToken).ConfigureAwait(false))
            {
                if (!referenced.Contains(info.Name))
                {
                    unreferenced.Add((info.Name, info.Length));
                }
            }

            foreach (var (name, length) in unreferenced)
            {
                lease.EnsureHeld();
                await store.DeleteAsync(name, cancellationToken).ConfigureAwait(false);
                objects++;
                bytes += length;
            }
        }

        if (objects > 0)
        {
            log.Verbose(string.Create(CultureInfo.InvariantCulture, $"Removed {objects:N0} stored object(s) no set refers to from '{repository.Location}' ({bytes:N0} bytes)."));
        }

        return new BackupPruneResult(removed, objects, bytes, 0);
    }
}
