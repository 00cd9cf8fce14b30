using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class SiteHealthClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fake.ResetVercelAsync();
        await fake.SeedDeploymentsAsync(new { uid = "dpl_current", target = "production" });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_2xx_from_api_health_is_healthy_and_a_503_is_not()
    {
        using var site = new SiteHealthClient(fake.BaseUrl);

        var healthy = await site.CheckAsync();
        await fake.PostAsync("/__fake/vercel/site", new { healthy = false });
        var unhealthy = await site.CheckAsync();

        Assert.True(healthy.Healthy);
        Assert.Equal(200, healthy.StatusCode);
        Assert.Equal("200 OK: ok", healthy.Detail);
        Assert.False(unhealthy.Healthy);
        Assert.Equal(503, unhealthy.StatusCode);
        Assert.Equal("503 Service Unavailable: unhealthy", unhealthy.Detail);
    }

    [Fact]
    public async Task Waiting_returns_the_last_unhealthy_answer_when_the_site_never_recovers()
    {
        await fake.PostAsync("/__fake/vercel/site", new { healthy = false });
        using var site = new SiteHealthClient(fake.BaseUrl);
        var log = new CollectingLog();

        // Long enough for a second check however slow the first answer is on a busy machine.
        var health = await site.WaitUntilHealthyAsync(TimeSpan.FromSeconds(5), log);

        Assert.False(health.Healthy);
        Assert.True(log.Verbose.Count >= 2, "Expected more than one check within the wait.");
    }

    [Fact]
    public async Task A_site_that_does_not_answer_is_unhealthy_not_an_error()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var site = new SiteHealthClient(new Uri($"http://127.0.0.1:{port}/"));

        var health = await site.CheckAsync();

        Assert.False(health.Healthy);
        Assert.Null(health.StatusCode);
        Assert.StartsWith("no answer", health.Detail);
        Assert.Equal($"http://127.0.0.1:{port}/api/health", health.Url);
    }

    [Fact]
    public void A_site_URL_that_is_not_absolute_is_refused()
    {
        var error = Assert.Throws<HotmessException>(() => SiteHealthClient.Create("hotmess.london"));

        Assert.Equal("SiteUrlInvalid", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task A_refused_connection_is_checked_again_before_the_site_is_called_unhealthy()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Refused);
        using var http = sent.Client();
        using var site = new SiteHealthClient(fake.BaseUrl, http);

        var health = await site.CheckAsync();

        Assert.True(health.Healthy);
        Assert.Equal(2, sent.Requests.Count);
    }
}
