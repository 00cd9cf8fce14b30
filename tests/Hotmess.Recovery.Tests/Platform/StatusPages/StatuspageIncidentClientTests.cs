using Hotmess.Recovery.Common;
using Hotmess.Recovery.Fakes.StatusPage;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.StatusPages;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.StatusPages;

public sealed class StatuspageIncidentClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.PostAsync("__fake/statuspage-api/reset", new { });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private StatuspageIncidentClient Client(string page = StatusPageIncidentsFake.DefaultPage) =>
        new(fake.Http, fake.Url("statuspage-api/v1"), new Secret(StatusPageIncidentsFake.DefaultKey), page, new CollectingLog(),
            new HttpResilienceOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) });

    [Fact]
    public async Task An_incident_is_created_with_its_impact_and_read_back()
    {
        var incident = await Client().CreateIncidentAsync("Checkout is down", "investigating", "Customers cannot pay", "major", CancellationToken.None);

        Assert.NotNull(incident.Id);
        Assert.Equal(("investigating", "major"), (incident.Status, incident.Impact));
        Assert.Null(incident.ResolvedAt);
    }

    [Fact]
    public async Task Resolving_sets_the_resolution_time()
    {
        var created = await Client().CreateIncidentAsync("Checkout is down", "investigating", "x", null, CancellationToken.None);

        var resolved = await Client().UpdateIncidentAsync(created.Id!, "resolved", "Fixed", CancellationToken.None);

        Assert.Equal("resolved", resolved.Status);
        Assert.NotNull(resolved.ResolvedAt);
    }

    [Fact]
    public async Task A_status_statuspage_does_not_know_is_refused_before_anything_is_sent()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().CreateIncidentAsync("x", "panicking", "x", null, CancellationToken.None));

        Assert.Equal("StatuspageStatusInvalid", ex.ErrorId);
        Assert.Empty((await fake.GetAsync("__fake/statuspage-api/incidents")).EnumerateArray());
    }

    [Fact]
    public async Task A_lasting_rate_limit_and_an_unknown_page_are_reported()
    {
        await fake.PostAsync("__fake/statuspage-api/rate-limit", new { count = 5, retryAfterSeconds = 0 });
        var limited = await Assert.ThrowsAsync<HotmessException>(() => Client().CreateIncidentAsync("x", "investigating", "x", null, CancellationToken.None));
        await fake.PostAsync("__fake/statuspage-api/reset", new { });
        var missing = await Assert.ThrowsAsync<HotmessException>(() => Client("otherpage").CreateIncidentAsync("x", "investigating", "x", null, CancellationToken.None));

        Assert.Equal(("StatuspageRateLimited", FailureKind.RateLimited), (limited.ErrorId, limited.Kind));
        Assert.Equal(("StatuspageNotFound", FailureKind.NotFound), (missing.ErrorId, missing.Kind));
    }
}
