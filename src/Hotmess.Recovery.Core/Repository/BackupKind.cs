namespace Hotmess.Recovery.Repository;

public enum BackupKind
{
    Database,
    Storage,
    Environment,
}
