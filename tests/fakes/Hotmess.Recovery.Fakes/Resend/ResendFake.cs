using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Fakes.Resend;

/// <summary>
/// Resend's API at <c>/resend</c> (api-contracts §5): <c>GET /domains</c> and <c>GET /api-keys</c> with
/// <c>limit</c>/<c>after</c> pagination and <c>has_more</c>, <c>POST /emails</c> and <c>POST /emails/batch</c> with
/// <c>Idempotency-Key</c> (same key and body: the first answer, nothing sent; same key, other body: 409), and
/// <c>GET /emails/{id}</c> (whose <c>last_event</c> moves, see <see cref="FakeEmail"/>). Errors are <c>{statusCode, name, message}</c>: 401 <c>missing_api_key</c>, 403
/// <c>invalid_api_key</c>, 401 <c>restricted_api_key</c> for a sending-only key outside <c>/emails</c>, 422 for
/// bad emails, 409 for a reused idempotency key; a request without <c>User-Agent</c> gets the edge's plain-text 403
/// (error 1010). Every answer carries <c>ratelimit-*</c>; a 429 adds <c>retry-after</c>. Steered through
/// <c>/__fake/resend/…</c>; the full-access key it accepts is <c>--resend-key</c> (default <see cref="DefaultKey"/>).
/// </summary>
public static partial class ResendFake
{
    public const string Prefix = "/resend";
    public const string DefaultKey = "re_test_hotmessfullaccess";
    private const int RequestsPerSecond = 2;

    public static void MapResend(this WebApplication app, FakeOptions options)
    {
        var state = new ResendFakeState();
        state.Reset(app.Configuration["resend-key"] ?? DefaultKey);
        FaultInjector.For(app).DescribeErrors(Prefix, status => status == 429
            ? new { statusCode = 429, name = "rate_limit_exceeded", message = "Too many requests. You can only make 2 requests per second." }
            : new { statusCode = status, name = "internal_server_error", message = "An unexpected error occurred." });

        var api = app.MapGroup(Prefix);
        api.MapGet("/domains", (HttpContext c) => Handle(state, c, sending: false, () =>
            Page(c.Request, state.Domains, d => d.Id, d => new { id = d.Id, name = d.Name, status = d.Status, created_at = d.CreatedAt, region = d.Region })));
        api.MapGet("/api-keys", (HttpContext c) => Handle(state, c, sending: false, () =>
            Page(c.Request, state.Keys.Values.OrderBy(k => k.CreatedAt).ToList(), k => k.Id, k => new { id = k.Id, name = k.Name, created_at = k.CreatedAt, last_used_at = (string?)null })));
        api.MapPost("/emails", async (HttpContext c) =>
        {
            string raw;
            using (var reader = new StreamReader(c.Request.Body, Encoding.UTF8))
            {
                raw = await reader.ReadToEndAsync(c.RequestAborted);
            }

            return Handle(state, c, sending: true, () => SendEmail(state, c.Request, raw));
        });
        api.MapPost("/emails/batch", async (HttpContext c) =>
        {
            string raw;
            using (var reader = new StreamReader(c.Request.Body, Encoding.UTF8))
            {
                raw = await reader.ReadToEndAsync(c.RequestAborted);
            }

            return Handle(state, c, sending: true, () => SendBatch(state, c, raw));
        });
        api.MapGet("/emails/{id}", (HttpContext c, string id) => Handle(state, c, sending: false, () =>
            state.Emails.FirstOrDefault(e => e.Id == id) is { } email
                ? Results.Json(new { @object = "email", id = email.Id, from = email.From, to = email.To, subject = email.Subject, created_at = email.CreatedAt, last_event = email.NextEvent() })
                : Error(404, "not_found", "Email not found")));
        api.Map("/{**rest}", (HttpContext c) => Handle(state, c, sending: false, () => Error(405, "method_not_allowed", "Method is not allowed for the requested path.")));

        MapControl(app, state);
    }

    /// <summary>Records the call, then Resend's gatekeeping in order: the edge's User-Agent rule, rate limit, key, permission.</summary>
    private static IResult Handle(ResendFakeState state, HttpContext context, bool sending, Func<IResult> handler)
    {
        lock (state.Gate)
        {
            var request = context.Request;
            state.Requests.Add(new
            {
                method = request.Method,
                path = request.Path.Value,
                query = request.QueryString.Value,
                userAgent = request.Headers.UserAgent.ToString(),
                idempotencyKey = request.Headers["Idempotency-Key"].ToString(),
            });
            if (request.Headers.UserAgent.ToString().Length == 0)
            {
                return Results.Text("error code: 1010", "text/plain", Encoding.UTF8, 403);
            }

            var headers = context.Response.Headers;
            headers["ratelimit-limit"] = RequestsPerSecond.ToString(CultureInfo.InvariantCulture);
            headers["ratelimit-reset"] = "1";
            if (state.RateLimitRemaining > 0)
            {
                state.RateLimitRemaining--;
                headers["ratelimit-remaining"] = "0";
                headers["ratelimit-reset"] = state.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                headers.RetryAfter = state.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return state.RateLimitName == "rate_limit_exceeded"
                    ? Error(429, "rate_limit_exceeded", $"Too many requests. You can only make {RequestsPerSecond} requests per second. See rate limit response headers for more information.")
                    : Error(429, state.RateLimitName, "You have reached your daily email sending quota.");
            }

            headers["ratelimit-remaining"] = (RequestsPerSecond - 1).ToString(CultureInfo.InvariantCulture);
            var match = BearerPattern().Match(request.Headers.Authorization.ToString());
            if (!match.Success)
            {
                return Error(401, "missing_api_key",
                    "Missing API key in the authorization header. Include the following header in the request: Authorization: Bearer YOUR_API_KEY");
            }

            if (!state.Keys.TryGetValue(match.Groups[1].Value.Trim(), out var key))
            {
                return Error(403, "invalid_api_key", "API key is invalid");
            }

            if (key.SendingOnly && !sending)
            {
                return Error(401, "restricted_api_key", "This API key is restricted to only send emails");
            }

            return handler();
        }
    }

    private static IResult Page<T>(HttpRequest request, IReadOnlyList<T> items, Func<T, string> id, Func<T, object> shape)
    {
        var limitText = request.Query["limit"].ToString();
        var limit = 20;
        if (limitText.Length > 0 && (!int.TryParse(limitText, NumberStyles.Integer, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 100))
        {
            return Error(422, "validation_error", "The `limit` parameter must be an integer between 1 and 100.");
        }

        var after = request.Query["after"].ToString();
        var start = 0;
        if (after.Length > 0)
        {
            var index = items.Select(id).ToList().IndexOf(after);
            if (index < 0)
            {
                return Error(422, "validation_error", "The `after` cursor does not match any item.");
            }

            start = index + 1;
        }

        var page = items.Skip(start).Take(limit).Select(shape).ToList();
        return Results.Json(new { @object = "list", has_more = items.Count > start + limit, data = page });
    }

    private static IResult SendEmail(ResendFakeState state, HttpRequest request, string raw)
    {
        var idempotencyKey = request.Headers["Idempotency-Key"].ToString();
        if (Replay(state, idempotencyKey, raw) is { } replayed)
        {
            return replayed;
        }

        if (Parse(raw, out var body) is { } invalid)
        {
            return invalid;
        }

        if (Validate(state, body, out var email, idempotencyKey) is { } refused)
        {
            return refused;
        }

        state.Emails.Add(email!);
        var answer = new { id = email!.Id };
        Remember(state, idempotencyKey, raw, answer);
        return Results.Json(answer);
    }

    /// <summary>
    /// <c>POST /emails/batch</c>: an array of 1 to 100 emails, validated whole before any is sent (Resend's default
    /// strict mode: one bad email refuses the batch, naming its index); answers <c>{data:[{id}]}</c> in order. The
    /// idempotency key works as for one email. A batch fault set through <c>/__fake/resend/batch-faults</c> answers
    /// after the batches it lets through.
    /// </summary>
    private static IResult SendBatch(ResendFakeState state, HttpContext context, string raw)
    {
        var idempotencyKey = context.Request.Headers["Idempotency-Key"].ToString();
        var fault = state.NextBatchFault();
        if (fault is "500" or "429")
        {
            if (fault == "429")
            {
                context.Response.Headers.RetryAfter = state.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return Error(429, "rate_limit_exceeded", $"Too many requests. You can only make {RequestsPerSecond} requests per second. See rate limit response headers for more information.");
            }

            return Error(500, "internal_server_error", "An unexpected error occurred.");
        }

        var result = AcceptBatch(state, idempotencyKey, raw);
        if (fault == "cut")
        {
            // Taken, and the answer lost on the way: the caller cannot tell whether the batch went out.
            context.Abort();
        }

        return result;
    }

    private static IResult AcceptBatch(ResendFakeState state, string idempotencyKey, string raw)
    {
        if (Replay(state, idempotencyKey, raw) is { } replayed)
        {
            return replayed;
        }

        if (Parse(raw, out var body) is { } invalid)
        {
            return invalid;
        }

        if (body.ValueKind != JsonValueKind.Array)
        {
            return Error(422, "validation_error", "The request body must be an array of emails.");
        }

        var count = body.GetArrayLength();
        if (count is 0 or > 100)
        {
            return Error(422, "validation_error", "The batch must have between 1 and 100 emails.");
        }

        var emails = new List<FakeEmail>();
        var index = 0;
        foreach (var item in body.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                return Error(422, "validation_error", $"Email at index {index} is not an object.");
            }

            if (item.TryGetProperty("attachments", out _) || item.TryGetProperty("scheduled_at", out _))
            {
                return Error(422, "invalid_parameter", $"Email at index {index}: `attachments` and `scheduled_at` are not supported in batch emails.");
            }

            if (Validate(state, item, out var email, idempotencyKey) is { } refused)
            {
                return refused;
            }

            emails.Add(email!);
            index++;
        }

        state.Emails.AddRange(emails);
        var answer = new { data = emails.Select(e => new { id = e.Id }).ToList() };
        Remember(state, idempotencyKey, raw, answer);
        return Results.Json(answer);
    }

    /// <summary>A key seen before: its first answer for the same body, a 409 for another; null for a new key.</summary>
    private static IResult? Replay(ResendFakeState state, string idempotencyKey, string raw)
    {
        if (idempotencyKey.Length > 256)
        {
            return Error(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
        }

        if (idempotencyKey.Length == 0 || !state.Idempotent.TryGetValue(idempotencyKey, out var seen))
        {
            return null;
        }

        return seen.Body == raw
            ? Results.Json(seen.Answer)
            : Error(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload. Change your idempotency key or payload.");
    }

    private static void Remember(ResendFakeState state, string idempotencyKey, string raw, object answer)
    {
        if (idempotencyKey.Length > 0)
        {
            state.Idempotent[idempotencyKey] = (raw, answer);
        }
    }

    private static IResult? Parse(string raw, out JsonElement body)
    {
        try
        {
            using var document = JsonDocument.Parse(raw);
            body = document.RootElement.Clone();
            return null;
        }
        catch (JsonException)
        {
            body = default;
            return Error(422, "validation_error", "The request body is not valid JSON.");
        }
    }

    /// <summary>One email's fields as Resend checks them; the email to record when they pass.</summary>
    private static IResult? Validate(ResendFakeState state, JsonElement body, out FakeEmail? email, string idempotencyKey)
    {
        email = null;
        foreach (var field in new[] { "from", "to", "subject" })
        {
            if (!body.TryGetProperty(field, out var value) || value.ValueKind == JsonValueKind.Null
                || (value.ValueKind == JsonValueKind.String && value.GetString()!.Length == 0))
            {
                return Error(422, "missing_required_field", $"Missing `{field}` field.");
            }
        }

        var from = FakeJson.String(body, "from") ?? "";
        if (!AddressPattern().IsMatch(from))
        {
            return Error(422, "invalid_from_address", "Invalid `from` field. The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.");
        }

        var toElement = body.GetProperty("to");
        var to = toElement.ValueKind == JsonValueKind.Array ? toElement.EnumerateArray().Select(t => t.GetString() ?? "").ToList() : [toElement.GetString() ?? ""];
        if (to.Count is 0 or > 50)
        {
            return Error(422, "validation_error", "The `to` field must have between 1 and 50 recipients.");
        }

        var domain = from[(from.LastIndexOf('@') + 1)..].TrimEnd('>').ToLowerInvariant();
        if (!state.Domains.Any(d => d.Name == domain && d.Status == "verified"))
        {
            return Error(403, "validation_error", $"The {domain} domain is not verified. Please, add and verify your domain on https://resend.com/domains");
        }

        var replyTo = body.TryGetProperty("reply_to", out var reply) && reply.ValueKind == JsonValueKind.Array
            ? reply.EnumerateArray().Select(r => r.GetString() ?? "").ToList()
            : reply.ValueKind == JsonValueKind.String ? [reply.GetString() ?? ""] : [];
        var tags = body.TryGetProperty("tags", out var tagList) && tagList.ValueKind == JsonValueKind.Array
            ? tagList.EnumerateArray().ToDictionary(t => FakeJson.String(t, "name") ?? "", t => FakeJson.String(t, "value") ?? "")
            : [];
        email = new FakeEmail(Guid.NewGuid().ToString(), from, to, FakeJson.String(body, "subject") ?? "", FakeJson.String(body, "text"),
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture), idempotencyKey)
        {
            ReplyTo = replyTo,
            Tags = tags,
        };
        return null;
    }

    internal static IResult Error(int status, string name, string message) =>
        Results.Json(new { statusCode = status, name, message }, statusCode: status);

    [GeneratedRegex("^Bearer\\s+(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex("^([^<>]*<)?[^@<>\\s]+@[^@<>\\s]+\\.[^@<>\\s]+>?$")]
    private static partial Regex AddressPattern();

    /// <summary>
    /// Test controls under <c>/__fake/resend</c> (no key needed): <c>POST reset</c> <c>{key?}</c>;
    /// <c>POST keys</c> <c>{key, sendingOnly?, name?}</c>; <c>POST domains</c> <c>{domains:[{name, status?, region?}]}</c>
    /// (appended, oldest first); <c>POST rate-limit</c> <c>{count, retryAfterSeconds?, name?}</c> (name
    /// <c>rate_limit_exceeded</c> or a quota); <c>POST batch-faults</c> <c>{after?, count?, fault}</c>: after <c>after</c>
    /// more batch requests, the next <c>count</c> fail with <c>fault</c> (<c>500</c>, <c>429</c> with retry-after, or
    /// <c>cut</c>: the batch is sent and the connection broken before the answer); <c>GET emails</c>: what was sent;
    /// <c>GET|DELETE requests</c>.
    /// </summary>
    private static void MapControl(WebApplication app, ResendFakeState state)
    {
        var control = app.MapGroup("/__fake/resend");
        control.MapPost("/reset", async (HttpRequest r) => await FakeJson.WithOptionalBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.Reset(FakeJson.String(body, "key") ?? app.Configuration["resend-key"] ?? DefaultKey);
            return Results.Json(new { keys = state.Keys.Count, domains = state.Domains.Count });
        })));
        control.MapPost("/keys", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            if (FakeJson.String(body, "key") is not { Length: > 0 } key)
            {
                return Results.BadRequest("Expected {key, sendingOnly?, name?}.");
            }

            state.AddKey(key, FakeJson.String(body, "name") ?? "key " + (state.Keys.Count + 1), FakeJson.Bool(body, "sendingOnly") ?? false);
            return Results.Json(new { keys = state.Keys.Count });
        })));
        control.MapPost("/domains", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            if (!body.TryGetProperty("domains", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return Results.BadRequest("Expected {domains:[{name, status?, region?}]}.");
            }

            foreach (var item in list.EnumerateArray())
            {
                state.AddDomain(FakeJson.String(item, "name") ?? "example.com", FakeJson.String(item, "status") ?? "verified", FakeJson.String(item, "region") ?? "eu-west-1");
            }

            return Results.Json(new { domains = state.Domains.Count });
        })));
        control.MapPost("/rate-limit", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.RateLimitRemaining = FakeJson.Int(body, "count") ?? 1;
            state.RetryAfterSeconds = FakeJson.Int(body, "retryAfterSeconds") ?? 1;
            state.RateLimitName = FakeJson.String(body, "name") ?? "rate_limit_exceeded";
            return Results.Json(new { state.RateLimitRemaining, state.RetryAfterSeconds, state.RateLimitName });
        })));
        control.MapPost("/batch-faults", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            var fault = FakeJson.String(body, "fault") ?? "500";
            if (fault is not ("500" or "429" or "cut"))
            {
                return Results.BadRequest("Expected {after?, count?, fault: 500|429|cut}.");
            }

            state.BatchFaultAfter = FakeJson.Int(body, "after") ?? 0;
            state.BatchFaultCount = FakeJson.Int(body, "count") ?? 1;
            state.BatchFault = fault;
            return Results.Json(new { after = state.BatchFaultAfter, count = state.BatchFaultCount, fault });
        })));
        control.MapGet("/emails", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Emails)));
        control.MapGet("/requests", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Requests)));
        control.MapDelete("/requests", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Requests.Clear();
            return Results.Json(new { cleared = true });
        }));
    }
}

internal sealed class ResendFakeState
{
    public object Gate { get; } = new();

    public Dictionary<string, FakeApiKey> Keys { get; } = new(StringComparer.Ordinal);

    public List<FakeDomain> Domains { get; } = [];

    public List<FakeEmail> Emails { get; } = [];

    /// <summary>Per idempotency key: the body first sent with it and the answer it got.</summary>
    public Dictionary<string, (string Body, object Answer)> Idempotent { get; } = new(StringComparer.Ordinal);

    /// <summary>Batch requests still let through before <see cref="BatchFault"/> applies.</summary>
    public int BatchFaultAfter { get; set; }

    public int BatchFaultCount { get; set; }

    public string? BatchFault { get; set; }

    public int RateLimitRemaining { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    public string RateLimitName { get; set; } = "rate_limit_exceeded";

    public List<object> Requests { get; } = [];

    private int _clock;

    public void Reset(string key)
    {
        Keys.Clear();
        Domains.Clear();
        Emails.Clear();
        Idempotent.Clear();
        Requests.Clear();
        RateLimitRemaining = 0;
        BatchFault = null;
        BatchFaultCount = 0;
        AddKey(key, "HotmessRecovery", sendingOnly: false);
        AddDomain("hotmess.london", "verified", "eu-west-1");
    }

    public void AddKey(string key, string name, bool sendingOnly) =>
        Keys[key] = new FakeApiKey(Guid.NewGuid().ToString(), name, NextTime(), sendingOnly);

    public void AddDomain(string name, string status, string region) =>
        Domains.Add(new FakeDomain(Guid.NewGuid().ToString(), name.ToLowerInvariant(), status, region, NextTime()));

    /// <summary>The fault the next batch request meets, if any, counting it down.</summary>
    public string? NextBatchFault()
    {
        if (BatchFault is null || BatchFaultCount <= 0)
        {
            return null;
        }

        if (BatchFaultAfter > 0)
        {
            BatchFaultAfter--;
            return null;
        }

        BatchFaultCount--;
        return BatchFault;
    }

    /// <summary>Creation times one second apart, so listings have a stable order.</summary>
    private string NextTime() =>
        DateTimeOffset.UtcNow.AddDays(-30).AddSeconds(_clock++).ToString("yyyy-MM-dd HH:mm:ss.ffffffzzz", CultureInfo.InvariantCulture);
}

internal sealed record FakeApiKey(string Id, string Name, string CreatedAt, bool SendingOnly);

internal sealed record FakeDomain(string Id, string Name, string Status, string Region, string CreatedAt);

/// <summary>
/// A sent email. Its <c>last_event</c> moves as Resend's does: <c>sent</c> on the first read, then the outcome Resend's
/// test addresses promise: <c>bounced@resend.dev</c> bounces, <c>complained@resend.dev</c> is delivered then complained
/// about, <c>undelivered@hotmess.test</c> stays <c>sent</c> (a mailbox that never answers), any other is <c>delivered</c>.
/// </summary>
internal sealed record FakeEmail(string Id, string From, IReadOnlyList<string> To, string Subject, string? Text, string CreatedAt, string IdempotencyKey)
{
    public IReadOnlyList<string> ReplyTo { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    private int _reads;

    public string NextEvent()
    {
        var read = _reads++;
        var to = To.Count > 0 ? To[0].ToLowerInvariant() : "";
        return read == 0 || to.EndsWith("undelivered@hotmess.test", StringComparison.Ordinal) ? "sent"
            : to.EndsWith("bounced@resend.dev", StringComparison.Ordinal) ? "bounced"
            : to.EndsWith("complained@resend.dev", StringComparison.Ordinal) && read > 1 ? "complained"
            : "delivered";
    }
}
