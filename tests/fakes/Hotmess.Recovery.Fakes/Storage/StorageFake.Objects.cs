using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Hotmess.Recovery.Fakes.Storage;

public static partial class StorageFake
{
    internal sealed partial class StorageApi
    {
        private const int CopyBufferSize = 1 << 17;

        /// <summary>
        /// Looks an object up for reading. Without a service-role token, RLS hides every object from
        /// authenticated routes; the <c>/public/</c> routes serve public buckets only.
        /// </summary>
        private FakeObject? Visible(string bucketId, string key, Access access, Role role, out FakeBucket? bucket)
        {
            bucket = FindBucket(bucketId);
            if (bucket is null || !bucket.Objects.TryGetValue(key, out var o))
            {
                return null;
            }

            return access == Access.Public ? (bucket.Public ? o : null) : role == Role.ServiceRole ? o : null;
        }

        /// <summary>GET/HEAD <c>/object/{bucket}/{key}</c> and its <c>authenticated</c> and <c>public</c> forms.</summary>
        public async Task<IResult> Download(HttpContext context, string bucketId, string key, Access access, Role role, bool head)
        {
            FakeObject? o;
            FileStream? file = null;
            lock (state.Gate)
            {
                o = Visible(bucketId, key, access, role, out _);
                if (o is not null)
                {
                    o.LastAccessedAt = DateTimeOffset.UtcNow;
                    if (!head)
                    {
                        // Opened under the lock so an overwrite cannot remove the bytes between lookup and read.
                        file = new FileStream(state.BlobFile(o), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
                    }
                }
            }

            if (o is null)
            {
                return head ? Results.StatusCode(400) : StorageErrors.DownloadNotFound(context);
            }

            await using (file)
            {
                var response = context.Response;
                var lastModified = new DateTimeOffset(o.UpdatedAt.UtcDateTime.Ticks / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, TimeSpan.Zero);
                var headers = response.Headers;
                headers.AcceptRanges = "bytes";
                headers.ETag = o.ETag;
                headers.LastModified = lastModified.ToString("R", CultureInfo.InvariantCulture);
                headers.CacheControl = o.CacheControl;
                headers["X-Robots-Tag"] = "none";
                if (context.Request.Query.TryGetValue("download", out var download))
                {
                    headers.ContentDisposition = download.ToString().Length == 0 ? "attachment;" : $"attachment; filename={download}";
                }

                var request = context.Request.Headers;
                if ((request.IfNoneMatch.Count > 0 && request.IfNoneMatch.ToString().Split(',').Any(t => t.Trim() == o.ETag || t.Trim() == "*"))
                    || (request.IfNoneMatch.Count == 0 && DateTimeOffset.TryParse(request.IfModifiedSince, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since) && lastModified <= since))
                {
                    return Results.StatusCode(304);
                }

                long start = 0, length = o.Size;
                if (request.Range.Count > 0)
                {
                    if (!TryParseRange(request.Range.ToString(), o.Size, out start, out length))
                    {
                        return StorageErrors.InvalidRange();
                    }

                    response.StatusCode = 206;
                    headers.ContentRange = $"bytes {start}-{start + length - 1}/{o.Size}";
                }

                response.ContentType = o.Mimetype;
                response.ContentLength = length;
                if (head || file is null)
                {
                    return Results.Empty;
                }

                file.Seek(start, SeekOrigin.Begin);
                var buffer = new byte[CopyBufferSize];
                var remaining = length;
                while (remaining > 0)
                {
                    var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), context.RequestAborted);
                    if (read == 0)
                    {
                        break;
                    }

                    await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    remaining -= read;
                }

                return Results.Empty;
            }
        }

        /// <summary>GET <c>/object/info/{bucket}/{key}</c> and its <c>authenticated</c> and <c>public</c> forms.</summary>
        public IResult Info(HttpContext context, string bucketId, string key, Access access, Role role)
        {
            lock (state.Gate)
            {
                if (Visible(bucketId, key, access, role, out var bucket) is not { } o)
                {
                    return StorageErrors.ObjectNotFound();
                }

                context.Response.Headers.ETag = o.ETag;
                context.Response.Headers.LastModified = o.UpdatedAt.ToString("R", CultureInfo.InvariantCulture);
                context.Response.Headers.CacheControl = o.CacheControl;
                return Results.Json(new Dictionary<string, object?>
                {
                    ["id"] = o.Id,
                    ["name"] = o.Name,
                    ["version"] = o.Version,
                    ["bucket_id"] = bucket!.Id,
                    ["size"] = o.Size,
                    ["content_type"] = o.Mimetype,
                    ["cache_control"] = o.CacheControl,
                    ["etag"] = o.ETag,
                    ["metadata"] = o.UserMetadata,
                    ["last_modified"] = Iso(o.UpdatedAt),
                    ["created_at"] = Iso(o.CreatedAt),
                });
            }
        }

        /// <summary>
        /// POST (create; <c>x-upsert: true</c> overwrites) and PUT (always overwrites) <c>/object/{bucket}/{key}</c>,
        /// with a raw body (its Content-Type and cache-control headers kept) or a multipart form (one file part and
        /// an optional <c>cacheControl</c> field in seconds).
        /// </summary>
        public async Task<IResult> Upload(HttpContext context, string bucketId, string key, bool isPut)
        {
            if (!IsValidKey(key))
            {
                return StorageErrors.InvalidKey(key);
            }

            var upsert = isPut || string.Equals(context.Request.Headers["x-upsert"], "true", StringComparison.OrdinalIgnoreCase);
            long limit;
            List<string>? allowed;
            lock (state.Gate)
            {
                if (FindBucket(bucketId) is not { } bucket)
                {
                    return StorageErrors.BucketNotFound();
                }

                if (!upsert && bucket.Objects.ContainsKey(key))
                {
                    return StorageErrors.KeyAlreadyExists();
                }

                limit = Math.Min(state.GlobalFileSizeLimit, bucket.FileSizeLimit ?? long.MaxValue);
                allowed = bucket.AllowedMimeTypes;
            }

            var limitText = limit == state.GlobalFileSizeLimit ? "the maximum allowed size" : $"the maximum allowed size of {limit} bytes";
            if (context.Request.ContentLength > limit)
            {
                return StorageErrors.TooLarge(limitText);
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            {
                bodySize.MaxRequestBodySize = null;
            }

            Stream content = context.Request.Body;
            var contentType = context.Request.ContentType ?? "application/octet-stream";
            var cacheControl = context.Request.Headers.CacheControl.ToString() is { Length: > 0 } given ? given : "no-cache";
            if (MediaTypeHeaderValue.TryParse(contentType, out var media) && media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            {
                var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
                if (string.IsNullOrEmpty(boundary))
                {
                    return StorageErrors.InvalidRequest("Missing multipart boundary");
                }

                var reader = new MultipartReader(boundary, context.Request.Body);
                Stream? part = null;
                while (part is null && await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
                {
                    var disposition = ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var cd) ? cd : null;
                    if (disposition is not null && !disposition.FileName.HasValue && !disposition.FileNameStar.HasValue && disposition.Name.Value is { Length: > 0 } field)
                    {
                        var value = await new StreamReader(section.Body).ReadToEndAsync(context.RequestAborted);
                        if (field == "cacheControl" && value.Length > 0)
                        {
                            cacheControl = $"max-age={value}";
                        }

                        continue;
                    }

                    contentType = section.ContentType ?? "application/octet-stream";
                    part = section.Body;
                }

                if (part is null)
                {
                    return StorageErrors.InvalidRequest("No content provided");
                }

                content = part;
            }

            var mimeType = MediaTypeHeaderValue.TryParse(contentType, out var parsed) ? parsed.MediaType.Value! : contentType;
            if (allowed is { Count: > 0 } && !allowed.Any(a => MimeMatches(a, mimeType)))
            {
                return StorageErrors.InvalidMimeType(mimeType);
            }

            var temporary = state.NewTemporaryFile();
            long size = 0;
            string eTag;
            try
            {
                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
                {
                    var buffer = new byte[CopyBufferSize];
                    int read;
                    while ((read = await content.ReadAsync(buffer, context.RequestAborted)) > 0)
                    {
                        size += read;
                        if (size > limit)
                        {
                            throw new InvalidDataException();
                        }

                        md5.AppendData(buffer, 0, read);
                        await file.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    }
                }

                eTag = FakeObject.ETagOf(md5.GetHashAndReset());
            }
            catch (InvalidDataException)
            {
                File.Delete(temporary);
                return StorageErrors.TooLarge(limitText);
            }
            catch
            {
                File.Delete(temporary);
                throw;
            }

            FakeObject? earlier;
            lock (state.Gate)
            {
                earlier = FindBucket(bucketId)?.Objects.GetValueOrDefault(key);
            }

            // An upsert keeps the object's id and creation time.
            var created = FakeObject.Create(bucketId, key, size, eTag, contentType, cacheControl, earlier, UserMetadata(context));
            state.Prepare(created, temporary);
            IResult answer;
            FakeObject? discard;
            lock (state.Gate)
            {
                var bucket = FindBucket(bucketId);
                var previous = bucket?.Objects.GetValueOrDefault(key);
                if (bucket is null || (previous is not null && !upsert))
                {
                    answer = bucket is null ? StorageErrors.BucketNotFound() : StorageErrors.KeyAlreadyExists();
                    discard = created;
                }
                else
                {
                    discard = state.Publish(bucket, created);
                    answer = Results.Json(new Dictionary<string, string> { ["Id"] = created.Id, ["Key"] = $"{bucket.Id}/{key}" });
                }
            }

            state.Discard(discard);
            return answer;
        }

        public IResult DeleteOne(string bucketId, string key)
        {
            lock (state.Gate)
            {
                if (FindBucket(bucketId) is not { } bucket || !bucket.Objects.TryGetValue(key, out var o))
                {
                    return StorageErrors.ObjectNotFound();
                }

                state.Delete(bucket, o);
                return Results.Json(new { message = "Successfully deleted" });
            }
        }

        /// <summary><c>POST /object/move</c> <c>{bucketId, sourceKey, destinationKey, destinationBucket?}</c>; never overwrites.</summary>
        public async Task<IResult> Move(HttpContext context) => await Transfer(context, move: true);

        /// <summary><c>POST /object/copy</c> <c>{bucketId, sourceKey, destinationKey, destinationBucket?, metadata?, copyMetadata?}</c>; <c>x-upsert</c> overwrites.</summary>
        public async Task<IResult> Copy(HttpContext context) => await Transfer(context, move: false);

        private async Task<IResult> Transfer(HttpContext context, bool move)
        {
            if (await ReadBody(context) is not { ValueKind: JsonValueKind.Object } body)
            {
                return StorageErrors.InvalidRequest("body must be object");
            }

            var sourceBucketId = String(body, "bucketId");
            var sourceKey = String(body, "sourceKey");
            var destinationKey = String(body, "destinationKey");
            if (sourceBucketId is null || sourceKey is null || destinationKey is null)
            {
                return StorageErrors.InvalidRequest($"body must have required property '{(sourceBucketId is null ? "bucketId" : sourceKey is null ? "sourceKey" : "destinationKey")}'");
            }

            if (!IsValidKey(destinationKey))
            {
                return StorageErrors.InvalidKey(destinationKey);
            }

            var destinationBucketId = String(body, "destinationBucket") ?? sourceBucketId;
            var upsert = !move && string.Equals(context.Request.Headers["x-upsert"], "true", StringComparison.OrdinalIgnoreCase);
            lock (state.Gate)
            {
                if (FindBucket(sourceBucketId) is not { } source || !source.Objects.TryGetValue(sourceKey, out var original))
                {
                    return StorageErrors.ObjectNotFound();
                }

                if (FindBucket(destinationBucketId) is not { } destination)
                {
                    return StorageErrors.BucketNotFound();
                }

                var previous = destination.Objects.GetValueOrDefault(destinationKey);
                if (previous is not null && !upsert)
                {
                    return StorageErrors.KeyAlreadyExists();
                }

                var copyMetadata = !(body.TryGetProperty("copyMetadata", out var cm) && cm.ValueKind == JsonValueKind.False);
                var overrides = body.TryGetProperty("metadata", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                var temporary = state.NewTemporaryFile();
                File.Copy(state.BlobFile(original), temporary);
                var created = FakeObject.Create(destination.Id, destinationKey, original.Size, original.ETag,
                    String(overrides, "mimetype") ?? original.Mimetype, String(overrides, "cacheControl") ?? original.CacheControl,
                    move ? original : previous, copyMetadata ? original.UserMetadata : null);
                state.Commit(destination, created, temporary);
                if (move)
                {
                    state.Delete(source, original);
                    return Results.Json(new Dictionary<string, object?> { ["message"] = "Successfully moved", ["Id"] = created.Id, ["Key"] = $"{destination.Id}/{destinationKey}" });
                }

                var shape = FileShape(created.Name, created);
                shape["Id"] = created.Id;
                shape["Key"] = $"{destination.Id}/{destinationKey}";
                shape["bucket_id"] = destination.Id;
                return Results.Json(shape);
            }
        }

        /// <summary><c>x-metadata</c>: base64 of a JSON object.</summary>
        private static JsonElement? UserMetadata(HttpContext context)
        {
            var header = context.Request.Headers["x-metadata"].ToString();
            if (header.Length == 0)
            {
                return null;
            }

            try
            {
                using var document = JsonDocument.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(header)));
                return document.RootElement.Clone();
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                return null;
            }
        }

        private static bool MimeMatches(string allowed, string mimeType) =>
            allowed.EndsWith("/*", StringComparison.Ordinal)
                ? mimeType.StartsWith(allowed[..^1], StringComparison.OrdinalIgnoreCase)
                : string.Equals(allowed, mimeType, StringComparison.OrdinalIgnoreCase);

        /// <summary><c>bytes=a-b</c>, <c>bytes=a-</c>, <c>bytes=-n</c>; anything else, or past the end, is invalid.</summary>
        private static bool TryParseRange(string header, long size, out long start, out long length)
        {
            start = 0;
            length = 0;
            if (!header.StartsWith("bytes=", StringComparison.Ordinal) || header.Contains(','))
            {
                return false;
            }

            var spec = header["bytes=".Length..].Split('-');
            if (spec.Length != 2)
            {
                return false;
            }

            var hasFirst = long.TryParse(spec[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first);
            var hasLast = long.TryParse(spec[1], NumberStyles.None, CultureInfo.InvariantCulture, out var last);
            if (hasFirst && (spec[1].Length == 0 || hasLast))
            {
                var end = spec[1].Length == 0 ? size - 1 : Math.Min(last, size - 1);
                if (first >= size || end < first)
                {
                    return false;
                }

                (start, length) = (first, end - first + 1);
                return true;
            }

            if (spec[0].Length == 0 && hasLast && last > 0 && size > 0)
            {
                var take = Math.Min(last, size);
                (start, length) = (size - take, take);
                return true;
            }

            return false;
        }
    }
}
