using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Supabase;
using Npgsql;

namespace Hotmess.Recovery.Monitoring;

public sealed partial class HealthCheckEngine
{
    /// <summary>Client connections in use against <c>max_connections</c>, read from the database itself.</summary>
    private async Task<IReadOnlyList<HealthCheckResult>> CheckDatabaseConnectionsAsync(HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        const string name = HealthCheckDefaults.DatabaseConnections;
        if (string.IsNullOrWhiteSpace(_targets.DatabaseConnectionString))
        {
            return One(Skipped(name, settings, "no database: set HOTMESS_DATABASE_URL or database.connectionString"));
        }

        // One connection of our own, not pooled, so the check does not hold a slot after it.
        var builder = new NpgsqlConnectionStringBuilder(_targets.DatabaseConnectionString) { Pooling = false, ApplicationName = "hotmess-health" };
        int used, max;
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(
                "select (select count(*) from pg_stat_activity where backend_type = 'client backend')::int, current_setting('max_connections')::int",
                connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            used = reader.GetInt32(0);
            max = reader.GetInt32(1);
        }
        catch (NpgsqlException ex)
        {
            // A server out of connection slots refuses ours too (53300): that is the very problem being checked.
            var full = ex is PostgresException { SqlState: "53300" };
            return One(Result(name, HealthStatus.Unhealthy, settings, full ? "100 %" : null, $"<= {Percent(settings.Threshold ?? 80)}",
                full ? $"the database refuses new connections: {ex.Message}" : $"cannot read the connection count from {builder.Host}/{builder.Database}: {ex.Message}"));
        }

        var share = max == 0 ? 100 : used * 100.0 / max;
        var threshold = settings.Threshold ?? 80;
        return One(Result(name, ByPercent(share, threshold), settings, Percent(share), $"<= {Percent(threshold)}",
            $"{used} of {max} connections in use on {builder.Host}/{builder.Database}"));
    }

    /// <summary>CPU, memory and disk of the database's machine from Supabase's metrics endpoint; one result each.</summary>
    private async Task<IReadOnlyList<HealthCheckResult>> CheckDatabaseResourcesAsync(HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        const string name = HealthCheckDefaults.DatabaseResources;
        if (string.IsNullOrWhiteSpace(_targets.SupabaseUrl))
        {
            return One(Skipped(name, settings, "no Supabase project URL: set VITE_SUPABASE_URL or storage.supabaseUrl"));
        }

        if (_targets.SupabaseServiceRoleKey is null)
        {
            return One(Skipped(name, settings, $"no service-role key for the metrics endpoint: set {ClientSettings.StorageKeyVariable}"));
        }

        var projectUrl = PlatformHttp.TryParse(_targets.SupabaseUrl)
            ?? throw new HotmessException("StorageUrlInvalid", FailureKind.InvalidArgument, $"The Supabase URL '{_targets.SupabaseUrl}' is not an http(s) URL.", _targets.SupabaseUrl);
        var client = new SupabaseMetricsClient(_http, projectUrl, _targets.SupabaseServiceRoleKey, _log, _resilience);
        var first = await client.ScrapeAsync(cancellationToken).ConfigureAwait(false);
        if (_settings.CpuSampleSeconds > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds(_settings.CpuSampleSeconds), _clock, cancellationToken).ConfigureAwait(false);
        }

        var second = await client.ScrapeAsync(cancellationToken).ConfigureAwait(false);
        var usage = DatabaseResourceUsage.From(first, second);
        var threshold = settings.Threshold ?? 80;
        return
        [
            Resource("CPU", usage.CpuPercent, usage.CpuDetail),
            Resource("Memory", usage.MemoryPercent, usage.MemoryDetail),
            Resource("Disk", usage.DiskPercent, usage.DiskDetail),
        ];

        HealthCheckResult Resource(string resource, double? percent, string detail) => percent is { } value
            ? Result($"{name}/{resource}", ByPercent(value, threshold), settings, Percent(value), $"<= {Percent(threshold)}", detail)
            : Result($"{name}/{resource}", HealthStatus.Unhealthy, settings, null, $"<= {Percent(threshold)}", detail);
    }
}
