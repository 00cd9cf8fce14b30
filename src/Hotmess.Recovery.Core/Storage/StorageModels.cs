using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hotmess.Recovery.Storage;

/// <summary>A bucket as <c>GET /bucket</c> describes it.</summary>
public sealed class StorageBucket
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = "";

    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("owner")]
    public string? Owner { get; set; }

    [JsonPropertyName("public")]
    public bool Public { get; set; }

    /// <summary>Bytes; null when the project's own limit applies.</summary>
    [JsonPropertyName("file_size_limit")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? FileSizeLimit { get; set; }

    [JsonPropertyName("allowed_mime_types")]
    public List<string>? AllowedMimeTypes { get; set; }

    /// <summary><c>STANDARD</c> or <c>ANALYTICS</c>; absent from <c>GET /bucket/{id}</c>.</summary>
    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; set; }

    [JsonPropertyName("updated_at")]
    public DateTimeOffset? UpdatedAt { get; set; }

    public override string ToString() => Id;
}

/// <summary>The settings a bucket is created or updated with.</summary>
public sealed class StorageBucketSettings
{
    [JsonPropertyName("id")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Id { get; set; }

    [JsonPropertyName("name")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; set; }

    [JsonPropertyName("public")]
    public bool Public { get; set; }

    [JsonPropertyName("file_size_limit")]
    public long? FileSizeLimit { get; set; }

    [JsonPropertyName("allowed_mime_types")]
    public List<string>? AllowedMimeTypes { get; set; }

    [JsonPropertyName("type")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Type { get; set; }
}

/// <summary>
/// One entry of <c>POST /object/list/{bucket}</c>: a file, or a folder (no id, no timestamps, no metadata).
/// <see cref="Name"/> is relative to the listed prefix.
/// </summary>
public sealed class StorageListEntry
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("updated_at")]
    public DateTimeOffset? UpdatedAt { get; set; }

    [JsonPropertyName("created_at")]
    public DateTimeOffset? CreatedAt { get; set; }

    [JsonPropertyName("last_accessed_at")]
    public DateTimeOffset? LastAccessedAt { get; set; }

    [JsonPropertyName("metadata")]
    public StorageObjectMetadata? Metadata { get; set; }

    /// <summary>Folders carry no id and no metadata; storage-csharp reads them the same way.</summary>
    [JsonIgnore]
    public bool IsFolder => Id is null && CreatedAt is null && UpdatedAt is null;
}

/// <summary>The <c>metadata</c> Storage keeps for a file, as written at upload.</summary>
public sealed class StorageObjectMetadata
{
    /// <summary>S3 style, quotes included.</summary>
    [JsonPropertyName("eTag")]
    public string? ETag { get; set; }

    [JsonPropertyName("size")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? Size { get; set; }

    [JsonPropertyName("mimetype")]
    public string? Mimetype { get; set; }

    [JsonPropertyName("cacheControl")]
    public string? CacheControl { get; set; }

    /// <summary>Kept as text: parsed leniently, since only its instant matters.</summary>
    [JsonPropertyName("lastModified")]
    public string? LastModified { get; set; }

    [JsonPropertyName("contentLength")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? ContentLength { get; set; }
}

/// <summary>An object found by listing: its full key and what Storage says about its content.</summary>
public sealed record StorageObjectInfo(
    string Bucket,
    string Key,
    long? Size,
    string? ETag,
    DateTimeOffset? LastModified,
    string? ContentType,
    string? CacheControl)
{
    public override string ToString() => $"{Bucket}/{Key}";

    internal static StorageObjectInfo From(string bucket, string prefix, StorageListEntry entry)
    {
        var metadata = entry.Metadata;
        DateTimeOffset? lastModified = DateTimeOffset.TryParse(metadata?.LastModified, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
            ? parsed
            : entry.UpdatedAt;
        return new StorageObjectInfo(bucket, prefix + entry.Name, metadata?.Size ?? metadata?.ContentLength, metadata?.ETag, lastModified,
            metadata?.Mimetype, metadata?.CacheControl);
    }
}

/// <summary>A download in progress: the body stream (read it once) and the headers that describe it.</summary>
public sealed class StorageDownload
{
    internal StorageDownload(Stream content, long? contentLength, string? contentType, string? cacheControl, string? eTag, DateTimeOffset? lastModified)
    {
        Content = content;
        ContentLength = contentLength;
        ContentType = contentType;
        CacheControl = cacheControl;
        ETag = eTag;
        LastModified = lastModified;
    }

    public Stream Content { get; }

    public long? ContentLength { get; }

    public string? ContentType { get; }

    public string? CacheControl { get; }

    public string? ETag { get; }

    public DateTimeOffset? LastModified { get; }
}

/// <summary>What <c>POST /object/{bucket}/{path}</c> answers: the object id and <c>bucket/key</c>.</summary>
public sealed record StorageUploadResult([property: JsonPropertyName("Id")] string? Id, [property: JsonPropertyName("Key")] string? Key);

/// <summary>The body of <c>POST /object/list/{bucket}</c>.</summary>
internal sealed record StorageListRequest(
    [property: JsonPropertyName("prefix")] string Prefix,
    [property: JsonPropertyName("limit")] int Limit,
    [property: JsonPropertyName("offset")] int Offset,
    [property: JsonPropertyName("sortBy")] StorageSortBy SortBy);

/// <summary>The body of <c>DELETE /object/{bucket}</c>: exact keys, at most 1000.</summary>
internal sealed record StorageDeleteRequest([property: JsonPropertyName("prefixes")] IReadOnlyList<string> Prefixes);

internal sealed record StorageSortBy([property: JsonPropertyName("column")] string Column, [property: JsonPropertyName("order")] string Order);

/// <summary>Serialization code generated at build time: no reflection, and little to compile when a run starts.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(List<StorageListEntry>))]
[JsonSerializable(typeof(List<StorageBucket>))]
[JsonSerializable(typeof(StorageBucket))]
[JsonSerializable(typeof(StorageBucketSettings))]
[JsonSerializable(typeof(StorageListRequest))]
[JsonSerializable(typeof(StorageDeleteRequest))]
[JsonSerializable(typeof(StorageUploadResult))]
internal sealed partial class StorageJson : JsonSerializerContext;
