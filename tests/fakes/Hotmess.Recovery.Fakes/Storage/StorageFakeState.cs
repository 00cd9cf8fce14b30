using System.Security.Cryptography;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.Storage;

/// <summary>
/// The Storage fake's buckets and objects: an in-memory index, persisted under <c>&lt;data-dir&gt;/storage/</c>
/// as <c>buckets.json</c>, one JSON sidecar per object in <c>meta/</c> and its bytes in <c>blobs/</c>, both named by
/// a generated id. Object keys never become file names. Every change to the index happens under <see cref="Gate"/>;
/// bytes are streamed outside it.
/// </summary>
public sealed class StorageFakeState
{
    private static readonly JsonSerializerOptions FileJson = new(JsonSerializerDefaults.Web);

    private readonly string _bucketsFile;

    public StorageFakeState(string dataDirectory, long globalFileSizeLimit)
    {
        Root = Path.Combine(dataDirectory, "storage");
        BlobsPath = Path.Combine(Root, "blobs");
        MetaPath = Path.Combine(Root, "meta");
        TemporaryPath = Path.Combine(Root, "tmp");
        GlobalFileSizeLimit = globalFileSizeLimit;
        foreach (var folder in new[] { BlobsPath, MetaPath, TemporaryPath })
        {
            Directory.CreateDirectory(folder);
        }

        _bucketsFile = Path.Combine(Root, "buckets.json");
        Load();
    }

    public object Gate { get; } = new();

    public string Root { get; }

    public string BlobsPath { get; }

    public string MetaPath { get; }

    public string TemporaryPath { get; }

    /// <summary>The project-wide upload limit (Supabase's default is 50 MB).</summary>
    public long GlobalFileSizeLimit { get; }

    /// <summary>Buckets by id.</summary>
    public Dictionary<string, FakeBucket> Buckets { get; } = new(StringComparer.Ordinal);

    public string NewTemporaryFile() => Path.Combine(TemporaryPath, Guid.NewGuid().ToString("N"));

    public string BlobFile(FakeObject o) => Path.Combine(BlobsPath, o.BlobId);

    public void SaveBuckets()
    {
        var records = Buckets.Values.Select(b => b.ToRecord()).ToList();
        WriteAtomically(_bucketsFile, records);
    }

    /// <summary>
    /// Puts freshly written bytes and their sidecar in place under the new object's own generated names. Done
    /// outside <see cref="Gate"/>, so uploads write in parallel; the object exists once <see cref="Publish"/> indexes it.
    /// </summary>
    public void Prepare(FakeObject created, string temporaryFile)
    {
        File.Move(temporaryFile, BlobFile(created));
        WriteAtomically(Path.Combine(MetaPath, created.BlobId + ".json"), created.ToRecord());
    }

    /// <summary>Indexes a prepared object (call under <see cref="Gate"/>); returns the version it replaced, for <see cref="Discard"/>.</summary>
    public FakeObject? Publish(FakeBucket bucket, FakeObject created)
    {
        var previous = bucket.Objects.GetValueOrDefault(created.Name);
        bucket.Objects[created.Name] = created;
        bucket.Touch();
        return previous;
    }

    /// <summary>Removes the files of an object that is no longer (or never was) indexed.</summary>
    public void Discard(FakeObject? o)
    {
        if (o is not null)
        {
            TryDelete(Path.Combine(MetaPath, o.BlobId + ".json"));
            TryDelete(BlobFile(o));
        }
    }

    /// <summary>Prepare, publish and discard the replaced version in one go.</summary>
    public void Commit(FakeBucket bucket, FakeObject created, string temporaryFile)
    {
        Prepare(created, temporaryFile);
        FakeObject? previous;
        lock (Gate)
        {
            previous = Publish(bucket, created);
        }

        Discard(previous);
    }

    public void Delete(FakeBucket bucket, FakeObject o)
    {
        bucket.Objects.Remove(o.Name);
        bucket.Touch();
        Discard(o);
    }

    private void Load()
    {
        if (File.Exists(_bucketsFile))
        {
            foreach (var record in JsonSerializer.Deserialize<List<BucketRecord>>(File.ReadAllText(_bucketsFile), FileJson) ?? [])
            {
                Buckets[record.Id] = FakeBucket.From(record);
            }
        }

        foreach (var file in Directory.EnumerateFiles(MetaPath, "*.json"))
        {
            var record = JsonSerializer.Deserialize<ObjectRecord>(File.ReadAllText(file), FileJson);
            if (record is null || !Buckets.TryGetValue(record.BucketId, out var bucket) || !File.Exists(Path.Combine(BlobsPath, record.BlobId)))
            {
                continue;
            }

            var o = FakeObject.From(record);
            // A crash between writing a new version and forgetting the old one leaves both: the newer wins.
            if (!bucket.Objects.TryGetValue(o.Name, out var other) || other.UpdatedAt < o.UpdatedAt)
            {
                bucket.Objects[o.Name] = o;
            }
        }

        foreach (var leftover in Directory.EnumerateFiles(TemporaryPath))
        {
            TryDelete(leftover);
        }
    }

    private static void WriteAtomically<T>(string path, T value)
    {
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(value, FileJson));
        File.Move(temporary, path, overwrite: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Still open by a download on a platform that refuses; it is no longer indexed.
        }
    }
}

public sealed class FakeBucket
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public bool Public { get; set; }

    public long? FileSizeLimit { get; set; }

    public List<string>? AllowedMimeTypes { get; set; }

    public string Type { get; init; } = "STANDARD";

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Objects by key (ordinal).</summary>
    public Dictionary<string, FakeObject> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Bumped on every change to the objects, so cached listings know they are stale.</summary>
    public long Version { get; private set; }

    public Dictionary<string, object> ListingCache { get; } = new(StringComparer.Ordinal);

    public void Touch()
    {
        Version++;
        ListingCache.Clear();
    }

    public BucketRecord ToRecord() => new(Id, Name, Public, FileSizeLimit, AllowedMimeTypes, Type, CreatedAt, UpdatedAt);

    public static FakeBucket From(BucketRecord r) => new()
    {
        Id = r.Id,
        Name = r.Name,
        Public = r.Public,
        FileSizeLimit = r.FileSizeLimit,
        AllowedMimeTypes = r.AllowedMimeTypes,
        Type = r.Type,
        CreatedAt = r.CreatedAt,
        UpdatedAt = r.UpdatedAt,
    };
}

public sealed class FakeObject
{
    /// <summary>A new version of an object: a new blob and version, keeping the id and creation time of the one it replaces.</summary>
    public static FakeObject Create(string bucketId, string key, long size, string eTag, string contentType, string cacheControl, FakeObject? previous, JsonElement? userMetadata = null)
    {
        var now = DateTimeOffset.UtcNow;
        return new FakeObject
        {
            Id = previous?.Id ?? Guid.NewGuid().ToString(),
            BucketId = bucketId,
            Name = key,
            BlobId = NewBlobId(),
            Size = size,
            ETag = eTag,
            Mimetype = contentType,
            CacheControl = cacheControl,
            CreatedAt = previous?.CreatedAt ?? now,
            UpdatedAt = now,
            LastAccessedAt = now,
            Version = NewVersion(),
            UserMetadata = userMetadata,
        };
    }

    public required string Id { get; init; }

    public required string BucketId { get; init; }

    /// <summary>The object key, exactly as uploaded.</summary>
    public required string Name { get; init; }

    /// <summary>File name of the bytes and of the sidecar: generated, never derived from the key.</summary>
    public required string BlobId { get; init; }

    public required long Size { get; init; }

    /// <summary>S3 style: the MD5 of the bytes in hex, in quotes.</summary>
    public required string ETag { get; init; }

    public required string Mimetype { get; init; }

    public required string CacheControl { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    public DateTimeOffset LastAccessedAt { get; set; }

    public required string Version { get; init; }

    public JsonElement? UserMetadata { get; init; }

    public ObjectRecord ToRecord() => new(Id, BucketId, Name, BlobId, Size, ETag, Mimetype, CacheControl, CreatedAt, UpdatedAt, Version, UserMetadata);

    public static FakeObject From(ObjectRecord r) => new()
    {
        Id = r.Id,
        BucketId = r.BucketId,
        Name = r.Name,
        BlobId = r.BlobId,
        Size = r.Size,
        ETag = r.ETag,
        Mimetype = r.Mimetype,
        CacheControl = r.CacheControl,
        CreatedAt = r.CreatedAt,
        UpdatedAt = r.UpdatedAt,
        LastAccessedAt = r.UpdatedAt,
        Version = r.Version,
        UserMetadata = r.UserMetadata,
    };

    public static string ETagOf(byte[] md5) => "\"" + Convert.ToHexString(md5).ToLowerInvariant() + "\"";

    public static string NewBlobId() => Guid.NewGuid().ToString("N");

    public static string NewVersion() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
}

public sealed record BucketRecord(string Id, string Name, bool Public, long? FileSizeLimit, List<string>? AllowedMimeTypes, string Type, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ObjectRecord(string Id, string BucketId, string Name, string BlobId, long Size, string ETag, string Mimetype, string CacheControl,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string Version, JsonElement? UserMetadata);
