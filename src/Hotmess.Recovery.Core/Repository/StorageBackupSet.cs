namespace Hotmess.Recovery.Repository;

/// <summary>A complete storage backup set, with what the run fetched and what it reused.</summary>
public sealed class StorageBackupSet : BackupSet
{
    public StorageBackupSet(string repository, string path, BackupManifest manifest)
        : base(repository, path, manifest)
    {
        Contents = manifest.Storage ?? new StorageContents();
    }

    public StorageContents Contents { get; }

    public int BucketCount => Contents.Buckets.Count;

    public int ObjectCount => Contents.ObjectCount;

    public int DownloadedCount => Contents.DownloadedCount;

    public int ReusedCount => Contents.ReusedCount;

    public long DownloadedBytes => Contents.DownloadedBytes;

    public long TotalBytes => Contents.TotalBytes;

    /// <summary>The objects' bytes: they live in the shared content store, not in the set folder.</summary>
    public override long SizeBytes => TotalBytes;
}
