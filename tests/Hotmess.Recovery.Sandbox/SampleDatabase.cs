using System.Globalization;
using System.Reflection;

namespace Hotmess.Recovery.Sandbox;

/// <summary>
/// Creates a HOTMESS database shaped like a Supabase project: API roles, auth.users, the backup plan's
/// critical tables with row level security, enums, identity and generated columns, triggers, a view and
/// grants, filled with generated data whose newest timestamps are close to now().
/// </summary>
public static class SampleDatabase
{
    private const long BulkChunkRows = 250_000;

    /// <summary>The tables the backup plan names as critical, all in schema public.</summary>
    public static IReadOnlyList<string> CriticalTables { get; } =
        ["User", "Beacon", "message", "marketplace_order", "support_tickets", "gdpr_consents"];

    public static void Create(LocalPostgres server, string database, SampleSize size) =>
        CreateAsync(server, database, size).GetAwaiter().GetResult();

    /// <summary>Creates <paramref name="database"/> (it must not exist) and loads the schema and data.</summary>
    public static async Task CreateAsync(LocalPostgres server, string database, SampleSize size, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentNullException.ThrowIfNull(size);

        await server.CreateDatabaseAsync(database, ct).ConfigureAwait(false);
        await EnsureRolesAsync(server, ct).ConfigureAwait(false);
        await RunScriptAsync(server, database, "02_schema.sql", null, ct).ConfigureAwait(false);
        await RunScriptAsync(server, database, "03_data.sql", new Dictionary<string, string>
        {
            ["users"] = Number(size.Users),
            ["beacons"] = Number(size.Beacons),
            ["products"] = Number(size.Products),
            ["orders"] = Number(size.MarketplaceOrders),
            ["tickets"] = Number(size.SupportTickets),
            ["consents"] = Number(size.GdprConsents),
            ["connections"] = Number(size.SocialConnections),
            ["reports"] = Number(size.ModerationReports),
        }, ct).ConfigureAwait(false);
        await LoadInChunksAsync(server, database, "04_message.sql", size.Messages, size.Users, ct).ConfigureAwait(false);
        await LoadInChunksAsync(server, database, "05_analytics_event.sql", size.AnalyticsEvents, size.Users, ct).ConfigureAwait(false);
        await RunScriptAsync(server, database, "06_finish.sql", null, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates the Supabase API roles (anon, authenticated, service_role) on a server that lacks them, as a
    /// Supabase project has them; a dump of the sample database grants to them, so a restore target needs them.
    /// </summary>
    public static void EnsureRoles(LocalPostgres server) => EnsureRolesAsync(server).GetAwaiter().GetResult();

    public static Task EnsureRolesAsync(LocalPostgres server, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        return RunScriptAsync(server, "postgres", "01_roles.sql", null, ct);
    }

    /// <summary>The text of an embedded script, e.g. <c>02_schema.sql</c>.</summary>
    public static string ReadScript(string name)
    {
        using var stream = typeof(SampleDatabase).Assembly.GetManifestResourceStream("Hotmess.Recovery.Sandbox.Sql." + name)
            ?? throw new ArgumentException($"There is no embedded sample script '{name}'.", nameof(name));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // Separate transactions keep memory flat and let cancellation take effect between chunks.
    private static async Task LoadInChunksAsync(
        LocalPostgres server, string database, string script, long total, int users, CancellationToken ct)
    {
        for (long first = 1; first <= total; first += BulkChunkRows)
        {
            ct.ThrowIfCancellationRequested();
            var last = Math.Min(first + BulkChunkRows - 1, total);
            await RunScriptAsync(server, database, script, new Dictionary<string, string>
            {
                ["first"] = Number(first),
                ["last"] = Number(last),
                ["total"] = Number(total),
                ["users"] = Number(users),
            }, ct).ConfigureAwait(false);
        }
    }

    private static Task<string> RunScriptAsync(
        LocalPostgres server, string database, string script, IReadOnlyDictionary<string, string>? variables, CancellationToken ct) =>
        server.RunPsqlAsync(server.SuperUser, server.Password, database, ReadScript(script), scriptPath: null, variables,
            singleTransaction: true, ct);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
