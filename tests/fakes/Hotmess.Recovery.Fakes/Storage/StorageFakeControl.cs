using System.Security.Cryptography;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.Storage;

/// <summary>
/// Test controls of the Storage fake, under <c>/__fake/storage</c> (no key needed):
/// <list type="bullet">
/// <item><c>POST objects?bucket=b&amp;key=k</c> with raw bytes (Content-Type and cache-control kept): stores an object
/// without Storage's key rules, as an older Storage version or the database could have left it (keys such as
/// <c>../x</c>); the bucket is created, private, when missing.</item>
/// <item><c>POST generate</c> <c>{bucket, prefix?, count, minSize, maxSize, folders?, seed?}</c>: that many objects of
/// random bytes, sizes drawn log-uniformly between minSize and maxSize, spread over <c>folders</c> sub-folders;
/// answers <c>{count, bytes}</c>.</item>
/// <item><c>GET stats</c>: <c>{buckets, objects, bytes}</c>.</item>
/// </list>
/// </summary>
internal static class StorageFakeControl
{
    public static void MapStorageControl(this WebApplication app, StorageFakeState state)
    {
        var control = app.MapGroup("/__fake/storage");

        control.MapPost("/objects", async (HttpContext context) =>
        {
            var bucketId = context.Request.Query["bucket"].ToString();
            var key = context.Request.Query["key"].ToString();
            if (bucketId.Length == 0 || key.Length == 0)
            {
                return Results.BadRequest(new { message = "Give ?bucket= and ?key=." });
            }

            var temporary = state.NewTemporaryFile();
            using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
            long size = 0;
            await using (var file = File.Create(temporary))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
                {
                    md5.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                    size += read;
                }
            }

            var o = Store(state, bucketId, key, size, FakeObject.ETagOf(md5.GetHashAndReset()),
                context.Request.ContentType ?? "application/octet-stream",
                context.Request.Headers.CacheControl.ToString() is { Length: > 0 } c ? c : "no-cache", temporary);
            return Results.Json(new { o.Id, Key = $"{bucketId}/{key}", eTag = o.ETag, size });
        });

        control.MapPost("/generate", async (HttpContext context) =>
        {
            GenerateRequest? request;
            try
            {
                request = await JsonSerializer.DeserializeAsync<GenerateRequest>(context.Request.Body, new JsonSerializerOptions(JsonSerializerDefaults.Web));
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { message = ex.Message });
            }

            if (request is null || request.Bucket.Length == 0 || request.Count < 0 || request.MinSize < 1 || request.MaxSize < request.MinSize)
            {
                return Results.BadRequest(new { message = "Expected {bucket, count >= 0, minSize >= 1, maxSize >= minSize}." });
            }

            var random = new Random(request.Seed ?? Environment.TickCount);
            var folders = Math.Max(1, request.Folders);
            long bytes = 0;
            var buffer = new byte[1 << 16];
            for (var i = 0; i < request.Count; i++)
            {
                var size = (long)Math.Round(Math.Exp(Math.Log(request.MinSize) + random.NextDouble() * (Math.Log(request.MaxSize) - Math.Log(request.MinSize))));
                var temporary = state.NewTemporaryFile();
                using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
                await using (var file = File.Create(temporary))
                {
                    for (var left = size; left > 0;)
                    {
                        var chunk = (int)Math.Min(buffer.Length, left);
                        random.NextBytes(buffer.AsSpan(0, chunk));
                        md5.AppendData(buffer, 0, chunk);
                        await file.WriteAsync(buffer.AsMemory(0, chunk));
                        left -= chunk;
                    }
                }

                var key = $"{request.Prefix ?? ""}{i % folders:D3}/{i:D6}.bin";
                Store(state, request.Bucket, key, size, FakeObject.ETagOf(md5.GetHashAndReset()), "application/octet-stream", "max-age=3600", temporary);
                bytes += size;
            }

            return Results.Json(new { count = request.Count, bytes });
        });

        control.MapGet("/stats", () =>
        {
            lock (state.Gate)
            {
                var objects = state.Buckets.Values.SelectMany(b => b.Objects.Values).ToList();
                return Results.Json(new { buckets = state.Buckets.Count, objects = objects.Count, bytes = objects.Sum(o => o.Size) });
            }
        });
    }

    private static FakeObject Store(StorageFakeState state, string bucketId, string key, long size, string eTag, string contentType, string cacheControl, string temporary)
    {
        lock (state.Gate)
        {
            var now = DateTimeOffset.UtcNow;
            if (!state.Buckets.TryGetValue(bucketId, out var bucket))
            {
                bucket = new FakeBucket { Id = bucketId, Name = bucketId, CreatedAt = now, UpdatedAt = now };
                state.Buckets[bucketId] = bucket;
                state.SaveBuckets();
            }

            var previous = bucket.Objects.GetValueOrDefault(key);
            var o = FakeObject.Create(bucketId, key, size, eTag, contentType, cacheControl, previous);
            state.Commit(bucket, o, temporary);
            return o;
        }
    }

    private sealed record GenerateRequest(string Bucket, string? Prefix, int Count, long MinSize, long MaxSize, int Folders, int? Seed);
}
