namespace Hotmess.Recovery.Repository;

/// <summary>The storage part of a manifest: every bucket and every object, addressed in the content store by SHA-256.</summary>
public sealed class StorageContents
{
    /// <summary>The Storage API the set was taken from, e.g. <c>https://&lt;ref&gt;.supabase.co/storage/v1/</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>True when every object was downloaded again, reusing nothing from earlier sets.</summary>
    public bool Full { get; set; }

    public List<StorageBucketEntry> Buckets { get; set; } = new();

    /// <summary>Every object, ordered by bucket then key (ordinal).</summary>
    public List<StorageObjectEntry> Objects { get; set; } = new();

    /// <summary>Objects fetched from Storage by this run.</summary>
    public int DownloadedCount { get; set; }

    public long DownloadedBytes { get; set; }

    /// <summary>Objects unchanged since an earlier run (same size, ETag and last-modified) whose content was already stored.</summary>
    public int ReusedCount { get; set; }

    public int ObjectCount => Objects.Count;

    public long TotalBytes => Objects.Sum(o => o.Size);
}

/// <summary>A bucket with the settings a restore re-creates it with.</summary>
public sealed class StorageBucketEntry
{
    public string Id { get; set; } = "";

    public string Name { get; set; } = "";

    public bool Public { get; set; }

    /// <summary>Largest object the bucket accepts, in bytes; null for the project's limit.</summary>
    public long? FileSizeLimit { get; set; }

    /// <summary>MIME types the bucket accepts (wildcards such as <c>image/*</c> allowed); null for any.</summary>
    public List<string>? AllowedMimeTypes { get; set; }

    /// <summary><c>STANDARD</c> or <c>ANALYTICS</c>, when Storage reports it.</summary>
    public string? Type { get; set; }

    public int ObjectCount { get; set; }

    public long TotalBytes { get; set; }

    /// <summary>This bucket under another id and name, with the same settings.</summary>
    public StorageBucketEntry Renamed(string id, string name)
    {
        var copy = (StorageBucketEntry)MemberwiseClone();
        copy.Id = id;
        copy.Name = name;
        return copy;
    }
}

/// <summary>
/// One object. <see cref="Key"/> is kept exactly as Storage names it and is never used as a file path:
/// the content lives in the content store under <see cref="Sha256"/>.
/// </summary>
public sealed class StorageObjectEntry
{
    public string Bucket { get; set; } = "";

    public string Key { get; set; } = "";

    public long Size { get; set; }

    public string Sha256 { get; set; } = "";

    public string? ContentType { get; set; }

    public string? CacheControl { get; set; }

    /// <summary>As Storage reports it, quotes included.</summary>
    public string? ETag { get; set; }

    public DateTimeOffset? LastModified { get; set; }

    /// <summary>This object in another bucket.</summary>
    public StorageObjectEntry InBucket(string bucket)
    {
        var copy = (StorageObjectEntry)MemberwiseClone();
        copy.Bucket = bucket;
        return copy;
    }

    public override string ToString() => $"{Bucket}/{Key}";
}
