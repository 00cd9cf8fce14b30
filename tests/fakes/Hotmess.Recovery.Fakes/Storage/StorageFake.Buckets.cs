using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Fakes.Storage;

public static partial class StorageFake
{
    internal sealed partial class StorageApi
    {
        public IResult ListBuckets(HttpContext context)
        {
            var query = context.Request.Query;
            int? limit = int.TryParse(query["limit"], out var l) ? l : null;
            var offset = int.TryParse(query["offset"], out var o) ? o : 0;
            if (limit is < 1 || offset < 0)
            {
                return StorageErrors.InvalidRequest(limit is < 1 ? "querystring/limit must be >= 1" : "querystring/offset must be >= 0");
            }

            var column = query["sortColumn"].ToString() is { Length: > 0 } c ? c : "name";
            if (column is not ("id" or "name" or "created_at" or "updated_at"))
            {
                return StorageErrors.InvalidRequest("querystring/sortColumn must be equal to one of the allowed values");
            }

            var descending = string.Equals(query["sortOrder"], "desc", StringComparison.OrdinalIgnoreCase);
            var search = query["search"].ToString();
            lock (state.Gate)
            {
                IEnumerable<FakeBucket> buckets = state.Buckets.Values.Where(b => search.Length == 0 || b.Name.Contains(search, StringComparison.OrdinalIgnoreCase));
                Func<FakeBucket, IComparable> key = column switch
                {
                    "id" => b => b.Id,
                    "created_at" => b => b.CreatedAt,
                    "updated_at" => b => b.UpdatedAt,
                    _ => b => b.Name,
                };
                buckets = descending ? buckets.OrderByDescending(key) : buckets.OrderBy(key);
                buckets = buckets.Skip(offset);
                if (limit is { } take)
                {
                    buckets = buckets.Take(take);
                }

                return Results.Json(buckets.Select(b => BucketShape(b, withType: true)).ToList());
            }
        }

        public IResult GetBucket(string bucketId)
        {
            lock (state.Gate)
            {
                return FindBucket(bucketId) is { } bucket ? Results.Json(BucketShape(bucket, withType: false)) : StorageErrors.BucketNotFound();
            }
        }

        public async Task<IResult> CreateBucket(HttpContext context)
        {
            if (await ReadBody(context) is not { ValueKind: JsonValueKind.Object } body)
            {
                return StorageErrors.InvalidRequest("body must be object");
            }

            var name = String(body, "name");
            if (name is null)
            {
                return StorageErrors.InvalidRequest("body must have required property 'name'");
            }

            var id = String(body, "id") ?? name;
            if (!IsValidBucketName(id) || !IsValidBucketName(name))
            {
                return StorageErrors.InvalidBucketName();
            }

            if (ReadSettings(body, out var isPublic, out var limit, out var mimeTypes) is { } invalid)
            {
                return invalid;
            }

            lock (state.Gate)
            {
                if (state.Buckets.ContainsKey(id))
                {
                    return StorageErrors.BucketAlreadyExists();
                }

                var now = DateTimeOffset.UtcNow;
                state.Buckets[id] = new FakeBucket
                {
                    Id = id,
                    Name = name,
                    Public = isPublic ?? false,
                    FileSizeLimit = limit.Value,
                    AllowedMimeTypes = mimeTypes.Value,
                    Type = String(body, "type") ?? "STANDARD",
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                state.SaveBuckets();
                return Results.Json(new { name });
            }
        }

        public async Task<IResult> UpdateBucket(HttpContext context, string bucketId)
        {
            if (await ReadBody(context) is not { ValueKind: JsonValueKind.Object } body)
            {
                return StorageErrors.InvalidRequest("body must be object");
            }

            if (!Has(body, "public") && !Has(body, "file_size_limit") && !Has(body, "allowed_mime_types"))
            {
                return StorageErrors.InvalidRequest("body must match a schema in anyOf");
            }

            if (ReadSettings(body, out var isPublic, out var limit, out var mimeTypes) is { } invalid)
            {
                return invalid;
            }

            lock (state.Gate)
            {
                if (FindBucket(bucketId) is not { } bucket)
                {
                    return StorageErrors.BucketNotFound();
                }

                bucket.Public = isPublic ?? bucket.Public;
                bucket.FileSizeLimit = limit.Given ? limit.Value : bucket.FileSizeLimit;
                bucket.AllowedMimeTypes = mimeTypes.Given ? mimeTypes.Value : bucket.AllowedMimeTypes;
                bucket.UpdatedAt = DateTimeOffset.UtcNow;
                state.SaveBuckets();
                return Results.Json(new { message = "Successfully updated" });
            }
        }

        public IResult DeleteBucket(string bucketId)
        {
            lock (state.Gate)
            {
                if (FindBucket(bucketId) is not { } bucket)
                {
                    return StorageErrors.BucketNotFound();
                }

                if (bucket.Objects.Count > 0)
                {
                    return StorageErrors.BucketNotEmpty();
                }

                state.Buckets.Remove(bucketId);
                state.SaveBuckets();
                return Results.Json(new { message = "Successfully deleted" });
            }
        }

        public IResult EmptyBucket(string bucketId, Role role)
        {
            if (role != Role.ServiceRole)
            {
                return StorageErrors.RoleDenied();
            }

            lock (state.Gate)
            {
                if (FindBucket(bucketId) is not { } bucket)
                {
                    return StorageErrors.BucketNotFound();
                }

                foreach (var o in bucket.Objects.Values.ToList())
                {
                    state.Delete(bucket, o);
                }

                return Results.Json(new { message = "Empty bucket has been queued. Completion may take up to an hour." });
            }
        }

        private static Dictionary<string, object?> BucketShape(FakeBucket b, bool withType)
        {
            var shape = new Dictionary<string, object?>
            {
                ["id"] = b.Id,
                ["name"] = b.Name,
                ["owner"] = "",
                ["public"] = b.Public,
            };
            if (withType)
            {
                shape["type"] = b.Type;
            }

            shape["file_size_limit"] = b.FileSizeLimit;
            shape["allowed_mime_types"] = b.AllowedMimeTypes;
            shape["created_at"] = Iso(b.CreatedAt);
            shape["updated_at"] = Iso(b.UpdatedAt);
            return shape;
        }

        /// <summary><c>public</c>, <c>file_size_limit</c> (bytes, or a string such as <c>"100MB"</c>, or null) and <c>allowed_mime_types</c>.</summary>
        private static IResult? ReadSettings(JsonElement body, out bool? isPublic, out (bool Given, long? Value) limit, out (bool Given, List<string>? Value) mimeTypes)
        {
            isPublic = body.TryGetProperty("public", out var p) && p.ValueKind is JsonValueKind.True or JsonValueKind.False ? p.GetBoolean() : null;
            limit = (false, null);
            mimeTypes = (false, null);
            if (body.TryGetProperty("file_size_limit", out var l))
            {
                switch (l.ValueKind)
                {
                    case JsonValueKind.Null:
                        limit = (true, null);
                        break;
                    case JsonValueKind.Number when l.TryGetInt64(out var bytes) && bytes >= 0:
                        limit = (true, bytes);
                        break;
                    case JsonValueKind.String when ParseFileSize(l.GetString()!) is { } parsed:
                        limit = (true, parsed);
                        break;
                    default:
                        return StorageErrors.InvalidRequest("Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
                }
            }

            if (body.TryGetProperty("allowed_mime_types", out var m))
            {
                if (m.ValueKind == JsonValueKind.Null)
                {
                    mimeTypes = (true, null);
                }
                else if (m.ValueKind == JsonValueKind.Array && m.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
                {
                    // Empty strings are dropped, as Storage does.
                    mimeTypes = (true, m.EnumerateArray().Select(e => e.GetString()!).Where(s => s.Length > 0).ToList());
                }
                else
                {
                    return StorageErrors.InvalidRequest("body/allowed_mime_types must be array");
                }
            }

            return null;
        }

        private static long? ParseFileSize(string text)
        {
            var match = Regex.Match(text, "^([0-9]+(?:\\.[0-9]+)?)(gb|mb|kb|b)$", RegexOptions.IgnoreCase);
            if (!match.Success)
            {
                return null;
            }

            var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            return (long)Math.Round(value * match.Groups[2].Value.ToUpperInvariant() switch
            {
                "GB" => 1e9,
                "MB" => 1e6,
                "KB" => 1e3,
                _ => 1,
            });
        }
    }
}
