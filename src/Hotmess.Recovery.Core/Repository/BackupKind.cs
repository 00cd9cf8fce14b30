namespace Hotmess.Recovery.Repository;

/// <summary>The kinds of backup set; each has its registration in <see cref="BackupKinds"/>.</summary>
public enum BackupKind
{
    Database,
    Storage,
    Environment,
    Drill,
    Log,
}
