using System.Net;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;

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
        Assert.All(log.Warnings, w => Assert.Contains("429", w));
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
        var settings = fake.Settings();
        using var client = new VercelClient(settings with { Resilience = settings.Resilience with { MaxAttempts = 3 } });

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetDeploymentAsync("dpl_p000"));

        Assert.Equal("VercelRateLimited", error.ErrorId);
        Assert.Equal(FailureKind.RateLimited, error.Kind);
        Assert.Contains("after 3 attempts", error.Message);
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
        Assert.Contains("after 1 attempt (", error.Message);
        Assert.Single(await fake.RequestsAsync());
    }

    [Fact]
    public async Task A_429_is_retried_only_after_the_wait_Vercel_names_on_the_clients_clock()
    {
        await fake.PostAsync("/__fake/vercel/rate-limit", new { count = 1, retryAfterSeconds = 3 });
        var clock = new FakeTimeProvider();
        var sent = new ScriptedHandler(clock);
        var settings = fake.Settings();
        using var client = new VercelClient(settings with { Resilience = settings.Resilience with { Time = clock } }, httpClient: sent.Client());

        var project = await clock.RunAsync(() => client.GetProjectAsync());

        Assert.Equal("prj_hotmess", project.Id);
        Assert.Equal(2, sent.SentAt.Count);
        Assert.InRange(sent.SentAt[1] - sent.SentAt[0], TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_refused_connection_on_a_read_is_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Refused);
        using var client = new VercelClient(fake.Settings(), httpClient: sent.Client());

        var project = await client.GetProjectAsync();

        Assert.Equal("prj_hotmess", project.Id);
        Assert.Equal(2, sent.Requests.Count);
    }

    [Fact]
    public async Task A_server_error_on_a_read_is_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Answer(HttpStatusCode.BadGateway), ScriptedHandler.Answer(HttpStatusCode.ServiceUnavailable));
        using var client = new VercelClient(fake.Settings(), httpClient: sent.Client());

        var deployment = await client.GetDeploymentAsync("dpl_p000");

        Assert.Equal("dpl_p000", deployment.DeploymentId);
        Assert.Equal(3, sent.Requests.Count);
    }

    [Fact]
    public async Task A_rollback_answered_503_is_not_retried_since_it_may_have_started()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Answer(HttpStatusCode.ServiceUnavailable));
        using var client = new VercelClient(fake.Settings(), httpClient: sent.Client());

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.RequestRollbackAsync("dpl_p001"));

        Assert.Equal("VercelServiceFailed", error.ErrorId);
        Assert.Single(sent.Requests);
    }

    [Fact]
    public async Task A_rollback_whose_connection_never_opened_is_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Refused);
        using var client = new VercelClient(fake.Settings(), httpClient: sent.Client());

        await client.RequestRollbackAsync("dpl_p001");

        Assert.Equal(2, sent.Requests.Count);
        Assert.All(sent.Requests, r => Assert.Contains("POST /v9/projects/prj_hotmess/rollback/dpl_p001", r));
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
