namespace Hotmess.Recovery.Supabase;

/// <summary>
/// The span a point-in-time restore can reach. Its <see cref="PointInTime"/> is the newest point, so piping it into
/// <c>Restore-HotmessSupabaseBackup</c> restores to that point unless <c>-PointInTime</c> names another.
/// </summary>
public sealed record SupabasePointInTimeWindow(string ProjectRef, DateTimeOffset EarliestUtc, DateTimeOffset LatestUtc)
{
    public DateTimeOffset PointInTime => LatestUtc;

    public TimeSpan Span => LatestUtc - EarliestUtc;

    public bool Contains(DateTimeOffset point) => point >= EarliestUtc && point <= LatestUtc;
}
