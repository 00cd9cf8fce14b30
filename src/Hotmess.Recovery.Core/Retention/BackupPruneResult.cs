namespace Hotmess.Recovery.Retention;

/// <summary>What a removal did: the sets removed, the content-store objects and abandoned incomplete sets that went with them.</summary>
public sealed record BackupPruneResult(
    IReadOnlyList<string> RemovedSetIds,
    int ObjectsRemoved,
    long BytesFreed,
    int IncompleteSetsRemoved);
