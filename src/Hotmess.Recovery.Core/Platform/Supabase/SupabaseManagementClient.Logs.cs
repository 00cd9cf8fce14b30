using System.Globalization;
using System.Text.Json;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Platform.Supabase;

public sealed partial class SupabaseManagementClient
{
    /// <summary>The analytics endpoint answers at most this many rows a query.</summary>
    public const int LogRowLimit = 1000;

    /// <summary>The analytics endpoint refuses a range longer than this.</summary>
    public static readonly TimeSpan LogRangeLimit = TimeSpan.FromHours(24);

    /// <summary>
    /// <c>GET /v1/projects/{ref}/analytics/endpoints/logs.all?sql=&amp;iso_timestamp_start=&amp;iso_timestamp_end=</c>: the
    /// rows of <paramref name="sql"/> over the range (at most 24 hours). An <c>error</c> in the body fails the call.
    /// </summary>
    public async Task<IReadOnlyList<JsonElement>> QueryLogsAsync(string sql, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        if (end <= start || end - start > LogRangeLimit)
        {
            throw new HotmessException("SupabaseLogRangeInvalid", FailureKind.InvalidArgument,
                $"A log query covers more than nothing and at most {LogRangeLimit.TotalHours:0} hours; {start:o} to {end:o} does not.", $"{start:o}/{end:o}");
        }

        var query = $"sql={Uri.EscapeDataString(sql)}&iso_timestamp_start={Uri.EscapeDataString(Iso(start))}&iso_timestamp_end={Uri.EscapeDataString(Iso(end))}";
        var answer = await GetJsonAsync<JsonElement>($"v1/projects/{ProjectRef}/analytics/endpoints/logs.all?{query}", cancellationToken).ConfigureAwait(false);
        if (answer.TryGetProperty("error", out var error) && error.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            var message = error.ValueKind == JsonValueKind.String ? error.GetString()
                : error.TryGetProperty("message", out var text) ? text.GetString() : error.GetRawText();
            throw new HotmessException("SupabaseLogQueryFailed", FailureKind.RemoteServiceFailed,
                $"The Supabase logs of project {ProjectRef} could not be read: {message}", ProjectRef);
        }

        if (!answer.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Array)
        {
            throw new HotmessException("SupabaseManagementResponseInvalid", FailureKind.RemoteServiceFailed,
                $"The Supabase logs of project {ProjectRef} came back without a result list.", ProjectRef);
        }

        return result.EnumerateArray().Select(r => r.Clone()).ToList();
    }

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
