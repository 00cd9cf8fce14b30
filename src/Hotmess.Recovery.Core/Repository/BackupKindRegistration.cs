using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// What the repository knows of one kind of backup set. <see cref="Name"/> is the kind in the set id
/// (<c>20261124T190312Z-database-7f3a</c>), the name of its lock (<c>locks/database.lock</c>) and the manifest
/// property that holds its contents (<c>"database": {…}</c>).
/// </summary>
/// <param name="ContentsType">The type of the manifest's contents for this kind, e.g. <see cref="DatabaseContents"/>.</param>
/// <param name="CreateSet">Makes the set object a complete set of this kind flows down the pipeline as; a plain <see cref="BackupSet"/> when null.</param>
/// <param name="RemoveLeftovers">
/// Removes what a killed run of this kind leaves outside its set folder. Called under the kind's lock, so no run
/// of the kind is writing; incomplete set folders are removed by the repository itself.
/// </param>
public sealed record BackupKindRegistration(
    BackupKind Kind,
    string Name,
    Type ContentsType,
    Func<string, string, BackupManifest, BackupSet>? CreateSet = null,
    Action<BackupRepository, IOperationLog>? RemoveLeftovers = null)
{
    internal BackupSet NewSet(string repository, string path, BackupManifest manifest) =>
        CreateSet?.Invoke(repository, path, manifest) ?? new BackupSet(repository, path, manifest);
}
