using System.Globalization;

namespace Hotmess.Recovery.Sandbox;

/// <summary>
/// How big a <see cref="SampleDatabase"/> is. <see cref="Scale"/> is the number of users; every table's row
/// count derives from it, and <see cref="BulkRowsPerUser"/> sets how many messages and analytics events each
/// user has (those two tables carry the bulk).
/// </summary>
public sealed record SampleSize
{
    // Measured with pg_database_size: an empty sample database, and the growth per user and per bulk row.
    private const double EmptyDatabaseMegabytes = 8.5;
    private const double MegabytesPerUser = 0.0021;
    private const double MegabytesPerBulkRow = 0.000275;

    public SampleSize(int scale, int bulkRowsPerUser = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 10);
        ArgumentOutOfRangeException.ThrowIfLessThan(bulkRowsPerUser, 1);
        Scale = scale;
        BulkRowsPerUser = bulkRowsPerUser;
    }

    /// <summary>About 1,700 rows in all; loads in well under two seconds.</summary>
    public static SampleSize Small { get; } = new(50);

    /// <summary>About 60,000 rows in all.</summary>
    public static SampleSize Demo { get; } = new(2000);

    public int Scale { get; }

    public int BulkRowsPerUser { get; }

    /// <summary>Rows in auth.users and in "User" (one profile per login).</summary>
    public int Users => Scale;

    public int Beacons => Scale / 2;

    public int Products => Math.Max(Scale / 4, 1);

    public int MarketplaceOrders => Scale;

    public int SupportTickets => Math.Max(Scale / 5, 1);

    public int GdprConsents => Scale * 2;

    public int SocialConnections => Scale * 2;

    public int ModerationReports => Math.Max(Scale / 10, 1);

    /// <summary>Rows in public.legal_hold: one, released; fixed.</summary>
    public int LegalHolds => 1;

    /// <summary>Rows in public.analytics_daily: a week of aggregates; fixed.</summary>
    public int AnalyticsDailyRows => 7;

    public long Messages => (long)Scale * BulkRowsPerUser;

    public long AnalyticsEvents => (long)Scale * BulkRowsPerUser;

    /// <summary>Rows in public.app_setting; fixed.</summary>
    public int AppSettings => 8;

    /// <summary>Expected row count per table, keyed by <c>schema.table</c> as written in pg_catalog (e.g. <c>public.User</c>).</summary>
    public IReadOnlyDictionary<string, long> RowCounts => new Dictionary<string, long>
    {
        ["auth.users"] = Users,
        ["public.User"] = Users,
        ["public.Beacon"] = Beacons,
        ["public.message"] = Messages,
        ["public.product"] = Products,
        ["public.marketplace_order"] = MarketplaceOrders,
        ["public.support_tickets"] = SupportTickets,
        ["public.gdpr_consents"] = GdprConsents,
        ["public.social_connection"] = SocialConnections,
        ["public.analytics_event"] = AnalyticsEvents,
        ["public.app_setting"] = AppSettings,
        ["public.moderation_report"] = ModerationReports,
        ["public.legal_hold"] = LegalHolds,
        ["public.analytics_daily"] = AnalyticsDailyRows,
    };

    public long TotalRows => RowCounts.Values.Sum();

    /// <summary>Rough pg_database_size of a database of this size, in megabytes.</summary>
    public double EstimatedMegabytes =>
        EmptyDatabaseMegabytes + (Scale * MegabytesPerUser) + ((Messages + AnalyticsEvents) * MegabytesPerBulkRow);

    /// <summary>
    /// A size whose database comes to roughly <paramref name="megabytes"/> (pg_database_size), for benchmarks.
    /// Users grow with the square root of the size; messages and analytics events carry the rest.
    /// </summary>
    public static SampleSize FromMegabytes(int megabytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(megabytes, 12);
        var scale = Math.Clamp((int)(Math.Sqrt(megabytes) * 200), 50, 20_000);
        var bulkMegabytes = Math.Max(megabytes - EmptyDatabaseMegabytes - (scale * MegabytesPerUser), 0);
        var bulkRowsPerUser = (int)Math.Round(bulkMegabytes / MegabytesPerBulkRow / 2 / scale);
        return new SampleSize(scale, Math.Max(bulkRowsPerUser, 1));
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Scale {Scale}, {BulkRowsPerUser} bulk rows per user ({TotalRows:N0} rows, ~{EstimatedMegabytes:N0} MB)");
}
