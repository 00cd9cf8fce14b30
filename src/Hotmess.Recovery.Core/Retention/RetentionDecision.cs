using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Retention;

/// <summary>
/// What the policy decided for one set, and every rule that kept it (none when it is removed). <see cref="Removed"/>
/// says whether the removal was carried out (not under -WhatIf, nor when declined).
/// </summary>
public sealed record RetentionDecision(string Id, BackupKind Kind, string? Source, DateTimeOffset StartedUtc, RetentionAction Action, IReadOnlyList<string> Reasons)
{
    public bool Removed { get; init; }

    public override string ToString() => $"{Action} {Id} ({string.Join(", ", Reasons)})";
}
