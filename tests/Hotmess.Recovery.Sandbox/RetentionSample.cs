namespace Hotmess.Recovery.Sandbox;

/// <summary>
/// The small sample database plus the rows the default data retention policy acts on (<c>Sql/retention_data.sql</c>):
/// twelve accounts (1-6 deleted over 30 days ago, 7-9 deleted recently, 10-12 active) with data at ages around
/// every rule's limit, legal holds on accounts 6 and 10 and a released one on 5, and the <c>deleted_user</c> account.
/// </summary>
public static class RetentionSample
{
    /// <summary>Accounts deleted over 30 days ago (1-6), of which account 6 is under a legal hold.</summary>
    public const int ErasableAccounts = 6;

    public const int HeldErasableAccounts = 1;

    /// <summary>All twelve accounts each have one order eight years old, one ticket four years old.</summary>
    public const int Accounts = 12;

    /// <summary>Accounts 6 and 10 are held.</summary>
    public const int HeldAccounts = 2;

    /// <summary>Anonymous analytics events every 40 days back to 1,200 days: those of 760 days and more are over two years old.</summary>
    public const int AnalyticsOverTwoYears = 12;

    /// <summary>
    /// Per rule of the default policy: the rows a run affects and the rows a legal hold keeps (due, but exempt).
    /// Derived from the script's shape: per account 4 messages, 3 follows, 2 events, 2 analytics events, and one
    /// old order, consent, ticket and moderation report.
    /// </summary>
    public static IReadOnlyDictionary<string, (long Rows, long Held)> ExpectedByRule { get; } = new Dictionary<string, (long, long)>
    {
        ["deleted-account-messages"] = PerErasable(4),
        ["deleted-account-connections"] = PerErasable(3),
        ["deleted-account-events"] = PerErasable(2),
        ["deleted-account-analytics"] = PerErasable(2),
        ["deleted-account-consents"] = PerErasable(1),
        ["deleted-account-moderation"] = PerErasable(1),
        ["deleted-account-profiles"] = PerErasable(1),
        ["transactions-7-years"] = (Accounts - HeldAccounts, HeldAccounts),
        ["support-tickets-3-years"] = (Accounts - HeldAccounts, HeldAccounts),
        ["analytics-2-years"] = (AnalyticsOverTwoYears, 0),
    };

    /// <summary>Creates <paramref name="database"/> as the small sample database plus the retention rows.</summary>
    public static async Task CreateAsync(LocalPostgres server, string database, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        await SampleDatabase.CreateAsync(server, database, SampleSize.Small, ct).ConfigureAwait(false);
        await server.RunPsqlAsync(server.SuperUser, server.Password, database, SampleDatabase.ReadScript("retention_data.sql"),
            scriptPath: null, variables: null, singleTransaction: true, ct).ConfigureAwait(false);
    }

    public static void Create(LocalPostgres server, string database) => CreateAsync(server, database).GetAwaiter().GetResult();

    private static (long, long) PerErasable(int rowsPerAccount) =>
        ((ErasableAccounts - HeldErasableAccounts) * rowsPerAccount, HeldErasableAccounts * rowsPerAccount);
}
