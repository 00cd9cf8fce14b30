using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class VercelClientErrorTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fake.ResetVercelAsync();
        await fake.ClearFaultsAsync();
        await fake.SeedDeploymentsAsync(VercelFakes.ProductionDeployments(3));
    }

    public Task DisposeAsync() => fake.ClearFaultsAsync();

    [Fact]
    public async Task A_wrong_token_is_an_authentication_failure_that_does_not_show_the_token()
    {
        using var client = fake.Client(token: "tok_wrong_and_secret");

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetProjectAsync());

        Assert.Equal("VercelAuthenticationFailed", error.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, error.Kind);
        Assert.Contains("403 forbidden", error.Message);
        Assert.DoesNotContain("tok_wrong_and_secret", error.Message);
    }

    [Fact]
    public async Task A_429_is_retried_after_Retry_After_and_then_succeeds()
    {
        await fake.PostAsync("/__fake/vercel/rate-limit", new { count = 2, retryAfterSeconds = 0 });
        var log = new CollectingLog();
        using var client = fake.Client(log);

        var project = await client.GetProjectAsync();

        Assert.Equal("prj_hotmess", project.Id);
        Assert.Equal(3, (await fake.RequestsAsync()).Count);
        Assert.Equal(2, log.Warnings.Count);
        Assert.All(log.Warnings, w => Assert.Contains("429 (rate_limited)", w));
    }

    [Fact]
    public async Task Without_Retry_After_the_reset_time_of_X_RateLimit_Reset_is_used()
    {
        await fake.PostAsync("/__fake/vercel/rate-limit", new { count = 1, retryAfterSeconds = (int?)null });
        var log = new CollectingLog();
        using var client = fake.Client(log);

        var deployments = await VercelClientDeploymentTests.ToListAsync(client.GetDeploymentsAsync(new DeploymentFilter()));

        Assert.Equal(3, deployments.Count);
        Assert.Single(log.Warnings);
        Assert.Equal(2, (await fake.RequestsAsync()).Count);
    }

    [Fact]
    public async Task A_rate_limit_that_outlasts_the_retries_fails_as_rate_limited()
    {
        await fake.PostAsync("/__fake/vercel/rate-limit", new { count = 10, retryAfterSeconds = 0 });
        using var client = new VercelClient(fake.Settings() with { MaxRateLimitRetries = 2 });

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetDeploymentAsync("dpl_p000"));

        Assert.Equal("VercelRateLimited", error.ErrorId);
        Assert.Equal(FailureKind.RateLimited, error.Kind);
        Assert.Contains("after 2 retries", error.Message);
        Assert.Contains("The limit resets at", error.Message);
        Assert.Equal(3, (await fake.RequestsAsync()).Count);
    }

    [Fact]
    public async Task A_reset_further_away_than_the_longest_wait_fails_at_once()
    {
        await fake.PostAsync("/__fake/vercel/rate-limit", new { count = 1, retryAfterSeconds = 600 });
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetProjectAsync());

        Assert.Equal("VercelRateLimited", error.ErrorId);
        Assert.Single(await fake.RequestsAsync());
    }

    [Fact]
    public async Task An_injected_server_error_is_a_remote_service_failure()
    {
        await fake.PostAsync("/__fake/faults", new { serverErrorRate = 1.0, pathPrefix = "/v9" });
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetProjectAsync());

        Assert.Equal("VercelServiceFailed", error.ErrorId);
        Assert.Equal(FailureKind.RemoteServiceFailed, error.Kind);
        Assert.Contains("500 internal_server_error", error.Message);
    }

    [Fact]
    public async Task A_closed_port_is_a_connection_failure()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new VercelClient(fake.Settings() with { ApiUrl = new Uri($"http://127.0.0.1:{port}") });

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetProjectAsync());

        Assert.Equal("VercelConnectionFailed", error.ErrorId);
        Assert.Equal(FailureKind.ConnectionFailed, error.Kind);
    }
}
