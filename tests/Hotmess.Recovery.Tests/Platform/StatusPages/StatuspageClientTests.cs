using System.Net;
using System.Net.Sockets;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.StatusPages;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.StatusPages;

public sealed class StatuspageClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<ProviderStatus> StatusAsync(string page) =>
        new StatuspageClient(fake.Http).GetStatusAsync(page, fake.Url($"statuspage/{page}"), CancellationToken.None);

    [Fact]
    public async Task An_operational_page_reports_none()
    {
        var status = await StatusAsync("vercel");

        Assert.Equal(ProviderIndicator.None, status.Indicator);
        Assert.True(status.Operational);
        Assert.Equal("All Systems Operational", status.Description);
        Assert.Equal("Vercel", status.PageName);
        Assert.NotNull(status.UpdatedAt);
        Assert.Null(status.Reason);
    }

    [Theory]
    [InlineData("minor", ProviderIndicator.Minor)]
    [InlineData("major", ProviderIndicator.Major)]
    [InlineData("critical", ProviderIndicator.Critical)]
    [InlineData("maintenance", ProviderIndicator.Maintenance)]
    public async Task An_incident_is_reported_with_its_indicator(string indicator, ProviderIndicator expected)
    {
        await fake.PostAsync("__fake/statuspage/pages", new { page = "supabase", indicator, description = "Degraded database performance" });

        var status = await StatusAsync("supabase");

        Assert.Equal(expected, status.Indicator);
        Assert.False(status.Operational);
        Assert.Equal("Degraded database performance", status.Description);
    }

    [Theory]
    [InlineData("html", "not answer JSON")]
    [InlineData("missing", "answered 404")]
    [InlineData("other-json", "without status.indicator")]
    public async Task A_page_that_is_not_statuspage_is_unknown_with_the_reason(string mode, string reason)
    {
        await fake.PostAsync("__fake/statuspage/pages", new { page = "stripe", mode });

        var status = await StatusAsync("stripe");

        Assert.Equal(ProviderIndicator.Unknown, status.Indicator);
        Assert.Contains(reason, status.Reason);
    }

    [Fact]
    public async Task An_unknown_indicator_is_unknown_not_an_error()
    {
        await fake.PostAsync("__fake/statuspage/pages", new { page = "vercel", indicator = "degraded" });

        var status = await StatusAsync("vercel");

        Assert.Equal(ProviderIndicator.Unknown, status.Indicator);
        Assert.Contains("'degraded'", status.Reason);
    }

    [Fact]
    public async Task A_page_that_cannot_be_reached_is_unknown()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var status = await new StatuspageClient(fake.Http).GetStatusAsync("vercel", new Uri($"http://127.0.0.1:{port}/"), CancellationToken.None);

        Assert.Equal(ProviderIndicator.Unknown, status.Indicator);
        Assert.Contains("cannot be reached", status.Reason);
    }

    [Fact]
    public async Task A_refused_connection_and_a_502_are_retried_before_the_page_is_called_unknown()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Refused, ScriptedHandler.Answer(HttpStatusCode.BadGateway, body: "<html>bad gateway</html>"));
        using var http = sent.Client();

        var status = await new StatuspageClient(http, resilience: new HttpResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(10) })
            .GetStatusAsync("vercel", fake.Url("statuspage/vercel"), CancellationToken.None);

        Assert.Equal(ProviderIndicator.None, status.Indicator);
        Assert.Equal(3, sent.Requests.Count);
    }
}
