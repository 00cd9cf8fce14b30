using System.Text;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.Storage;

public static partial class StorageFake
{
    internal sealed partial class StorageApi
    {
        private const int V1DefaultLimit = 100;
        private const int V1MaxLimit = 1500;
        private const int V2MaxLimit = 1000;
        private const int BulkLimit = 1000;

        /// <summary>
        /// <c>POST /object/list/{bucket}</c>: one folder level under the (slash-suffixed) prefix, names relative to it,
        /// sub-paths collapsed into folder entries; offset counts folders and files together.
        /// </summary>
        public async Task<IResult> ListV1(HttpContext context, string bucketName)
        {
            if (await ReadBody(context) is not { ValueKind: JsonValueKind.Object } body)
            {
                return StorageErrors.InvalidRequest("body must be object");
            }

            var prefix = String(body, "prefix");
            if (prefix is null)
            {
                return StorageErrors.InvalidRequest("body must have required property 'prefix'");
            }

            var limit = Int(body, "limit") ?? V1DefaultLimit;
            var offset = Int(body, "offset") ?? 0;
            if (limit < 1)
            {
                return StorageErrors.InvalidRequest("body/limit must be >= 1");
            }

            if (offset < 0)
            {
                return StorageErrors.InvalidRequest("body/offset must be >= 0");
            }

            var (column, descending) = SortBy(body);
            if (!ListColumns.Contains(column))
            {
                return StorageErrors.InvalidRequest("body/sortBy/column must be equal to one of the allowed values");
            }

            if (prefix.Length > 0 && !prefix.EndsWith('/'))
            {
                prefix += "/";
            }

            var search = String(body, "search") ?? "";
            lock (state.Gate)
            {
                if (FindBucket(bucketName) is not { } bucket)
                {
                    return StorageErrors.BucketNotFound();
                }

                var level = Level(bucket, prefix, search, column, descending);
                return Results.Json(level.Skip(offset).Take(Math.Min(limit, V1MaxLimit)).Select(e => e.Object is null ? FolderShape(e.Name) : FileShape(e.Name, e.Object)).ToList());
            }
        }

        /// <summary><c>POST /object/list-v2/{bucket}</c>: full keys, folders ending in '/', an opaque cursor while <c>hasNext</c>.</summary>
        public async Task<IResult> ListV2(HttpContext context, string bucketName)
        {
            var body = await ReadBody(context) ?? default;
            var prefix = String(body, "prefix") ?? "";
            var limit = Int(body, "limit") ?? V2MaxLimit;
            if (limit < 1)
            {
                return StorageErrors.InvalidRequest("body/limit must be >= 1");
            }

            limit = Math.Min(limit, V2MaxLimit);
            var withDelimiter = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("with_delimiter", out var d) && d.ValueKind == JsonValueKind.True;
            var (column, descending) = SortBy(body);
            if (column is not ("name" or "updated_at" or "created_at"))
            {
                return StorageErrors.InvalidRequest("body/sortBy/column must be equal to one of the allowed values");
            }

            var start = 0;
            if (String(body, "cursor") is { } cursor && !TryReadCursor(cursor, out start))
            {
                return StorageErrors.InvalidRequest("Invalid cursor");
            }

            lock (state.Gate)
            {
                if (FindBucket(bucketName) is not { } bucket)
                {
                    return StorageErrors.BucketNotFound();
                }

                var items = new List<(string Name, FakeObject? Object)>();
                var folders = new HashSet<string>(StringComparer.Ordinal);
                foreach (var o in bucket.Objects.Values.Where(o => o.Name.StartsWith(prefix, StringComparison.Ordinal)))
                {
                    var slash = withDelimiter ? o.Name.IndexOf('/', prefix.Length) : -1;
                    if (slash >= 0)
                    {
                        if (folders.Add(o.Name[..(slash + 1)]))
                        {
                            items.Add((o.Name[..(slash + 1)], null));
                        }
                    }
                    else
                    {
                        items.Add((o.Name, o));
                    }
                }

                items = Sort(items, column, descending, e => e.Name, e => e.Object);
                var page = items.Skip(start).Take(limit).ToList();
                var hasNext = start + page.Count < items.Count;
                var result = new Dictionary<string, object?>
                {
                    ["hasNext"] = hasNext,
                    ["folders"] = page.Where(e => e.Object is null).Select(e => new Dictionary<string, object?> { ["id"] = null, ["name"] = e.Name, ["bucket_id"] = bucket.Id }).ToList(),
                    ["objects"] = page.Where(e => e.Object is not null).Select(e => FileShape(e.Name, e.Object!)).ToList(),
                };
                if (hasNext)
                {
                    result["nextCursor"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("offset:" + (start + page.Count)));
                    result["nextCursorKey"] = page[^1].Name;
                }

                return Results.Json(result);
            }
        }

        /// <summary><c>DELETE /object/{bucket}</c> <c>{prefixes:[…]}</c>: exact keys, at most 1000; answers only what it deleted.</summary>
        public async Task<IResult> DeleteMany(HttpContext context, string bucketName)
        {
            if (await ReadBody(context) is not { ValueKind: JsonValueKind.Object } body
                || !body.TryGetProperty("prefixes", out var prefixes) || prefixes.ValueKind != JsonValueKind.Array)
            {
                return StorageErrors.InvalidRequest("body must have required property 'prefixes'");
            }

            var keys = prefixes.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()!).ToList();
            if (keys.Count < 1)
            {
                return StorageErrors.InvalidRequest("body/prefixes must NOT have fewer than 1 items");
            }

            if (keys.Count > BulkLimit)
            {
                return StorageErrors.InvalidRequest($"Bulk object requests are limited to {BulkLimit} objects per request.");
            }

            lock (state.Gate)
            {
                if (FindBucket(bucketName) is not { } bucket)
                {
                    return StorageErrors.BucketNotFound();
                }

                var deleted = new List<Dictionary<string, object?>>();
                foreach (var key in keys.Distinct(StringComparer.Ordinal))
                {
                    if (bucket.Objects.TryGetValue(key, out var o))
                    {
                        state.Delete(bucket, o);
                        var shape = FileShape(o.Name, o);
                        shape["bucket_id"] = bucket.Id;
                        deleted.Add(shape);
                    }
                }

                return Results.Json(deleted);
            }
        }

        /// <summary>The entries of one folder level, sorted; cached until the bucket changes.</summary>
        private static List<(string Name, FakeObject? Object)> Level(FakeBucket bucket, string prefix, string search, string column, bool descending)
        {
            var cacheKey = string.Join('\n', prefix, search, column, descending);
            if (bucket.ListingCache.TryGetValue(cacheKey, out var cached))
            {
                return (List<(string, FakeObject?)>)cached;
            }

            var folders = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<(string Name, FakeObject? Object)>();
            foreach (var o in bucket.Objects.Values)
            {
                if (!o.Name.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var rest = o.Name[prefix.Length..];
                var slash = rest.IndexOf('/');
                var name = slash >= 0 ? rest[..slash] : rest;
                if (!name.StartsWith(search, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (slash < 0)
                {
                    entries.Add((name, o));
                }
                else if (folders.Add(name))
                {
                    entries.Add((name, null));
                }
            }

            var sorted = Sort(entries, column, descending, e => e.Name, e => e.Object);
            bucket.ListingCache[cacheKey] = sorted;
            return sorted;
        }

        /// <summary>By name, folders and files interleave by lower-cased name; by another column, folders come first (by name), then files.</summary>
        private static List<T> Sort<T>(List<T> items, string column, bool descending, Func<T, string> name, Func<T, FakeObject?> obj)
        {
            var byName = Comparer<T>.Create((a, b) =>
            {
                var c = string.CompareOrdinal(name(a).ToLowerInvariant(), name(b).ToLowerInvariant());
                return c != 0 ? c : string.CompareOrdinal(name(a), name(b));
            });
            if (column == "name")
            {
                var list = items.ToList();
                list.Sort(byName);
                if (descending)
                {
                    list.Reverse();
                }

                return list;
            }

            DateTimeOffset Stamp(FakeObject o) => column switch
            {
                "created_at" => o.CreatedAt,
                "last_accessed_at" => o.LastAccessedAt,
                _ => o.UpdatedAt,
            };
            var folders = items.Where(i => obj(i) is null).ToList();
            folders.Sort(byName);
            var files = items.Where(i => obj(i) is not null).ToList();
            files.Sort((a, b) =>
            {
                var c = Stamp(obj(a)!).CompareTo(Stamp(obj(b)!));
                return c != 0 ? (descending ? -c : c) : byName.Compare(a, b);
            });
            return folders.Concat(files).ToList();
        }

        private static Dictionary<string, object?> FolderShape(string name) => new()
        {
            ["name"] = name,
            ["id"] = null,
            ["updated_at"] = null,
            ["created_at"] = null,
            ["last_accessed_at"] = null,
            ["metadata"] = null,
        };

        private static Dictionary<string, object?> FileShape(string name, FakeObject o) => new()
        {
            ["name"] = name,
            ["id"] = o.Id,
            ["updated_at"] = Iso(o.UpdatedAt),
            ["created_at"] = Iso(o.CreatedAt),
            ["last_accessed_at"] = Iso(o.LastAccessedAt),
            ["metadata"] = Metadata(o),
        };

        private static Dictionary<string, object?> Metadata(FakeObject o) => new()
        {
            ["eTag"] = o.ETag,
            ["size"] = o.Size,
            ["mimetype"] = o.Mimetype,
            ["cacheControl"] = o.CacheControl,
            ["lastModified"] = Iso(o.UpdatedAt),
            ["contentLength"] = o.Size,
            ["httpStatusCode"] = 200,
        };

        private static (string Column, bool Descending) SortBy(JsonElement body)
        {
            if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("sortBy", out var sort) || sort.ValueKind != JsonValueKind.Object)
            {
                return ("name", false);
            }

            return (String(sort, "column") ?? "name", string.Equals(String(sort, "order"), "desc", StringComparison.OrdinalIgnoreCase));
        }

        private static int? Int(JsonElement body, string name) =>
            body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : null;

        private static bool TryReadCursor(string cursor, out int offset)
        {
            offset = 0;
            try
            {
                var text = Encoding.UTF8.GetString(Convert.FromBase64String(cursor));
                return text.StartsWith("offset:", StringComparison.Ordinal) && int.TryParse(text["offset:".Length..], out offset) && offset >= 0;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
