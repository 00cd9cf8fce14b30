using Hotmess.Recovery.Platform.Supabase;

namespace Hotmess.Recovery.Logs;

public sealed record LogBackupRequest
{
    public required string Repository { get; init; }

    public required SupabaseManagementClient Client { get; init; }

    /// <summary>The auth service's and the API gateway's logs by default.</summary>
    public IReadOnlyList<string> Sources { get; init; } = ["auth_logs", "edge_logs"];

    /// <summary>Where the first log set starts when the repository has none; later sets start where the last one ended.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Where the set ends; a few minutes before now by default, so rows still being ingested are left for the next run.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>How far back the first set reaches without <see cref="From"/>: Supabase keeps logs 7 days.</summary>
    public TimeSpan FirstRunLookBack { get; init; } = TimeSpan.FromDays(7);

    public TimeSpan IngestionDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The range of one query; the endpoint allows 24 hours.</summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
