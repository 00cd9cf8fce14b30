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
    public JsonElement? Metadata { get; set; }

    /// <summary>Folders carry no id and no metadata; storage-csharp reads them the same way.</summary>
    [JsonIgnore]
    public bool IsFolder => Id is null && CreatedAt is null && UpdatedAt is null;
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
        long? size = null;
        string? eTag = null, contentType = null, cacheControl = null;
        DateTimeOffset? lastModified = null;
        if (entry.Metadata is { ValueKind: JsonValueKind.Object } metadata)
        {
            size = Number(metadata, "size") ?? Number(metadata, "contentLength");
            eTag = Text(metadata, "eTag");
            contentType = Text(metadata, "mimetype");
            cacheControl = Text(metadata, "cacheControl");
            lastModified = DateTimeOffset.TryParse(Text(metadata, "lastModified"), System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        }

        return new StorageObjectInfo(bucket, prefix + entry.Name, size, eTag, lastModified ?? entry.UpdatedAt, contentType, cacheControl);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static long? Number(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;
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
public sealed record StorageUploadResult(string? Id, string? Key);
