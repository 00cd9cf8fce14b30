using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Retention;

/// <summary>What the retention decision looks at in a set: its kind and source (the group it is counted in), its start, and whether a verification of it passed.</summary>
public sealed record RetentionCandidate(string Id, BackupKind Kind, string? Source, DateTimeOffset StartedUtc, bool Verified);
