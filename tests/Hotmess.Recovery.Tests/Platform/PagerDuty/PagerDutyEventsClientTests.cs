using Hotmess.Recovery.Common;
using Hotmess.Recovery.Fakes.PagerDuty;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.PagerDuty;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.PagerDuty;

public sealed class PagerDutyEventsClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.PostAsync("__fake/pagerduty/reset", new { });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private PagerDutyEventsClient Client(string key = PagerDutyFake.DefaultRoutingKey, int attempts = 4) =>
        new(fake.Http, fake.Url("pagerduty"), new Secret(key), new CollectingLog(),
            new HttpResilienceOptions { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) });

    private static PagerDutyPayload Payload => new("Site is Unhealthy", "hotmess-recovery", "critical");

    [Fact]
    public async Task A_trigger_and_a_resolve_with_the_same_dedup_key_open_and_close_one_alert()
    {
        var key = await Client().TriggerAsync("hotmess-site-1", Payload, CancellationToken.None);
        await Client().ResolveAsync(key, CancellationToken.None);

        Assert.Equal("hotmess-site-1", key);
        var alert = Assert.Single((await fake.GetAsync("__fake/pagerduty/alerts")).EnumerateArray());
        Assert.Equal(("resolved", 2), (alert.GetProperty("status").GetString(), alert.GetProperty("events").GetInt32()));
    }

    [Fact]
    public async Task A_routing_key_that_is_not_an_integration_key_is_refused_without_showing_it()
    {
        const string Wrong = "not-a-32-character-key-1234";

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(Wrong).TriggerAsync("k", Payload, CancellationToken.None));

        Assert.Equal(("PagerDutyEventInvalid", FailureKind.InvalidArgument), (ex.ErrorId, ex.Kind));
        Assert.Contains("32 characters", ex.Message);
        Assert.DoesNotContain(Wrong, ex.Message);
    }

    [Fact]
    public async Task A_short_rate_limit_is_retried_and_a_lasting_one_reported()
    {
        await fake.PostAsync("__fake/pagerduty/rate-limit", new { count = 1, retryAfterSeconds = 0 });
        await Client().TriggerAsync("after-wait", Payload, CancellationToken.None);

        await fake.PostAsync("__fake/pagerduty/rate-limit", new { count = 10, retryAfterSeconds = 0 });
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(attempts: 2).TriggerAsync("never", Payload, CancellationToken.None));

        Assert.Equal(("PagerDutyRateLimited", FailureKind.RateLimited), (ex.ErrorId, ex.Kind));
        Assert.Single((await fake.GetAsync("__fake/pagerduty/events")).EnumerateArray());
    }

    [Fact]
    public async Task A_resolve_without_an_open_alert_is_accepted_and_dropped()
    {
        await Client().ResolveAsync("nothing-open", CancellationToken.None);

        var recorded = Assert.Single((await fake.GetAsync("__fake/pagerduty/events")).EnumerateArray());
        Assert.True(recorded.GetProperty("dropped").GetBoolean());
    }
}
