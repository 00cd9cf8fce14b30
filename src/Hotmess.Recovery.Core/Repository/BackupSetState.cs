namespace Hotmess.Recovery.Repository;

public enum BackupSetState
{
    /// <summary>The manifest was read: the set is what it says it is (its files are checked by Test-HotmessBackup).</summary>
    Complete,

    /// <summary>The manifest is there but cannot be read or does not match its folder: the set cannot be restored.</summary>
    Damaged,
}
