using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Sandbox;
using Npgsql;

namespace Hotmess.Recovery.Tests.Monitoring;

/// <summary>DatabaseConnections against a real PostgreSQL whose max_connections is 10, filled with connections past 80 %.</summary>
public sealed class DatabaseConnectionsCheckTests : IAsyncLifetime
{
    private LocalPostgres _server = null!;

    public async Task InitializeAsync() => _server = await LocalPostgres.StartAsync(new LocalPostgresOptions { MaxConnections = 10 });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<IReadOnlyList<HealthCheckResult>> RunAsync(string? connectionString) =>
        new HealthCheckEngine(new MonitoringSettings(), new HealthTargets { DatabaseConnectionString = connectionString }, new HttpClient())
            .RunAsync(["DatabaseConnections"], CancellationToken.None);

    [Fact]
    public async Task A_database_with_few_connections_in_use_is_healthy()
    {
        var result = Assert.Single(await RunAsync(_server.ConnectionString()));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("10 %", result.Value);
        Assert.StartsWith("1 of 10 connections", result.Message);
    }

    [Fact]
    public async Task A_database_with_more_than_80_percent_of_its_connections_in_use_is_unhealthy_at_High()
    {
        var held = new List<NpgsqlConnection>();
        try
        {
            // 8 held and the check's own: 9 of 10.
            for (var i = 0; i < 8; i++)
            {
                var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server.ConnectionString()) { Pooling = false }.ConnectionString);
                await connection.OpenAsync();
                held.Add(connection);
            }

            var result = Assert.Single(await RunAsync(_server.ConnectionString()));

            Assert.Equal((HealthStatus.Unhealthy, AlertSeverity.High), (result.Status, result.Severity));
            Assert.Equal("90 %", result.Value);
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task DatabaseConnections_is_skipped_without_a_connection_string()
    {
        var result = Assert.Single(await RunAsync(null));

        Assert.Equal(HealthStatus.Skipped, result.Status);
        Assert.Contains("HOTMESS_DATABASE_URL", result.Message);
    }
}
