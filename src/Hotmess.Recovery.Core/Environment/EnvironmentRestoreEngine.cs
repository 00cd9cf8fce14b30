using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Environments;

/// <summary>
/// Restores variables from an environment set into a store, in two steps so the caller can confirm each one in
/// between: <see cref="PlanAsync"/> opens the set (every check of it runs there, before anything is written)
/// and decides what would be written; <see cref="RestoreAsync"/> writes the variables the caller kept.
/// </summary>
public static class EnvironmentRestoreEngine
{
    /// <summary>The set with <paramref name="id"/>, or without one the newest environment set of the repository.</summary>
    public static BackupSet FindSet(BackupRepository repository, string? id) =>
        id is not null
            ? repository.GetSet(id)
            : repository.GetSets(BackupKind.Environment).FirstOrDefault()
              ?? throw new HotmessException("BackupNotFound", FailureKind.NotFound,
                  $"The repository '{repository.Root}' holds no environment set; take one with Backup-HotmessEnvironment.", repository.Root);

    public static async Task<EnvironmentRestorePlan> PlanAsync(
        BackupSet set, EnvironmentKey key, EnvironmentRestoreSelection selection, CancellationToken cancellationToken)
    {
        var stored = await OpenSetAsync(set, key, cancellationToken).ConfigureAwait(false);
        return EnvironmentRestorePlan.Build(set, stored, selection);
    }

    /// <summary>Writes <paramref name="chosen"/> (variables of <paramref name="plan"/>) into the store; returns what was written, without values.</summary>
    public static async Task<IReadOnlyList<EnvironmentRestoreResult>> RestoreAsync(
        EnvironmentRestorePlan plan, IReadOnlyList<StoredVariable> chosen, IEnvironmentVariableStore store, CancellationToken cancellationToken)
    {
        var foreign = chosen.FirstOrDefault(v => !plan.Variables.Contains(v));
        if (foreign is not null)
        {
            throw new HotmessException("EnvironmentRestoreNotPlanned", FailureKind.InvalidArgument,
                $"{EnvironmentRestorePlan.Describe(foreign)} is not a variable of the restore plan of set {plan.Set.Id}.", foreign.Name);
        }

        if (chosen.Count == 0)
        {
            return [];
        }

        await store.WriteAsync(chosen, cancellationToken).ConfigureAwait(false);
        return chosen.Select(v => new EnvironmentRestoreResult(v.Name, v.Targets, v.Type, store.Kind, store.Project, plan.Set.Id)
        {
            ValueSource = plan.SourceOf(v.Name),
        }).ToList();
    }

    /// <summary>
    /// The one place an environment restore reads a set: decrypted in memory, after its payload's size and hash
    /// are checked against the manifest. A check of the whole set before a restore belongs here.
    /// </summary>
    private static Task<IReadOnlyList<StoredVariable>> OpenSetAsync(BackupSet set, EnvironmentKey key, CancellationToken cancellationToken) =>
        EnvironmentBackupEngine.OpenAsync(set, key, cancellationToken);
}
