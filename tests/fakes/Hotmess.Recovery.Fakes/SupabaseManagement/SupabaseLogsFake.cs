using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>
/// The Management API's analytics logs endpoint (api-contracts §10, Logs):
/// <c>GET /supabase-management/v1/projects/{ref}/analytics/endpoints/logs.all?sql=&amp;iso_timestamp_start=&amp;iso_timestamp_end=</c>
/// answers <c>{result:[rows]}</c> of the source the SQL names (<c>from auth_logs</c>; no SQL means <c>edge_logs</c>),
/// start inclusive, end exclusive, oldest first, at most the SQL's <c>limit</c> and never over 1,000 rows. No range
/// means the last minute; a range over 24 hours, or an end before its start, is a 400 with <c>{error:{code,message,status}}</c>.
/// Rows are <c>{id, timestamp (microseconds since 1970), event_message, metadata}</c>. Bearer token and project ref as
/// the rest of the Management fake (<c>--supabase-access-token</c>, <c>--supabase-project-ref</c>). Steered through
/// <c>/__fake/supabase-logs</c>: <c>POST entries</c> <c>{entries:[{source, timestamp, message}]}</c>, <c>POST generate</c>
/// <c>{source, from, to, everySeconds}</c>, <c>POST reset</c>, <c>GET|DELETE requests</c>.
/// </summary>
public static partial class SupabaseLogsFake
{
    private const int MaxRows = 1000;

    public static void MapSupabaseLogs(this WebApplication app, FakeOptions options)
    {
        _ = options;
        var gate = new object();
        var rows = new List<LogRow>();
        var requests = new List<object>();
        var token = app.Configuration["supabase-access-token"] ?? SupabaseManagementFakeState.DefaultToken;
        var projectRef = app.Configuration["supabase-project-ref"] ?? SupabaseManagementFakeState.DefaultRef;

        app.MapGet(SupabaseManagementFake.Prefix + "/v1/projects/{ref}/analytics/endpoints/logs.all", (HttpContext c, string @ref) => FakeJson.Locked(gate, () =>
        {
            var query = c.Request.Query;
            requests.Add(new { sql = query["sql"].ToString(), start = query["iso_timestamp_start"].ToString(), end = query["iso_timestamp_end"].ToString() });
            if (!string.Equals(c.Request.Headers.Authorization.ToString(), "Bearer " + token, StringComparison.Ordinal))
            {
                return Results.Json(new { message = "Unauthorized" }, statusCode: 401);
            }

            if (@ref != projectRef)
            {
                return Results.Json(new { message = "Project not found" }, statusCode: 404);
            }

            var now = DateTimeOffset.UtcNow;
            var start = Time(query["iso_timestamp_start"]) ?? now.AddMinutes(-1);
            var end = Time(query["iso_timestamp_end"]) ?? now;
            if (end < start || end - start > TimeSpan.FromHours(24))
            {
                return Invalid("iso_timestamp_start and iso_timestamp_end must be at most 24 hours apart, the end after the start");
            }

            var sql = query["sql"].ToString();
            var source = sql.Length == 0 ? "edge_logs" : FromPattern().Match(sql) is { Success: true } from ? from.Groups[1].Value : null;
            if (source is null)
            {
                return Invalid("The query names no source to select from");
            }

            var limit = LimitPattern().Match(sql) is { Success: true } l ? Math.Min(int.Parse(l.Groups[1].Value, CultureInfo.InvariantCulture), MaxRows) : MaxRows;
            var result = rows.Where(r => r.Source == source && r.At >= start && r.At < end)
                .OrderBy(r => r.At).ThenBy(r => r.Id, StringComparer.Ordinal).Take(limit)
                .Select(r => new { id = r.Id, timestamp = (r.At - DateTimeOffset.UnixEpoch).Ticks / 10, event_message = r.Message, metadata = new[] { new { level = "info" } } });
            return Results.Json(new { result });
        }));

        var control = app.MapGroup("/__fake/supabase-logs");
        control.MapPost("/entries", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(gate, () =>
        {
            foreach (var entry in body.GetProperty("entries").EnumerateArray())
            {
                rows.Add(new LogRow(Guid.NewGuid().ToString(), FakeJson.String(entry, "source") ?? "edge_logs",
                    DateTimeOffset.Parse(FakeJson.String(entry, "timestamp")!, CultureInfo.InvariantCulture), FakeJson.String(entry, "message") ?? ""));
            }

            return Results.Json(new { rows = rows.Count });
        })));
        control.MapPost("/generate", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(gate, () =>
        {
            var source = FakeJson.String(body, "source") ?? "edge_logs";
            var from = DateTimeOffset.Parse(FakeJson.String(body, "from")!, CultureInfo.InvariantCulture);
            var to = DateTimeOffset.Parse(FakeJson.String(body, "to")!, CultureInfo.InvariantCulture);
            var every = TimeSpan.FromSeconds(body.TryGetProperty("everySeconds", out var e) ? e.GetDouble() : 60);
            var added = 0;
            for (var at = from; at < to; at += every, added++)
            {
                rows.Add(new LogRow(Guid.NewGuid().ToString(), source, at, $"{source} event {added}"));
            }

            return Results.Json(new { added, rows = rows.Count });
        })));
        control.MapPost("/reset", () => FakeJson.Locked(gate, () =>
        {
            rows.Clear();
            requests.Clear();
            return Results.Json(new { rows = 0 });
        }));
        control.MapGet("/requests", () => FakeJson.Locked(gate, () => Results.Json(requests)));
        control.MapDelete("/requests", () => FakeJson.Locked(gate, () =>
        {
            requests.Clear();
            return Results.Json(new { cleared = true });
        }));
    }

    private static DateTimeOffset? Time(Microsoft.Extensions.Primitives.StringValues value) =>
        DateTimeOffset.TryParse(value.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;

    private static IResult Invalid(string message) =>
        Results.Json(new { message, result = Array.Empty<object>(), error = new { code = 400, message, status = "INVALID_ARGUMENT" } }, statusCode: 400);

    [GeneratedRegex(@"\bfrom\s+([a-z_]+)", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"\blimit\s+(\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex LimitPattern();

    // Supabase stamps rows to the microsecond.
    private sealed record LogRow(string Id, string Source, DateTimeOffset Stamped, string Message)
    {
        public DateTimeOffset At { get; } = new(Stamped.UtcTicks - (Stamped.UtcTicks % 10), TimeSpan.Zero);
    }
}
