using System.Net;
using System.Net.Sockets;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Stripe;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Stripe;

public sealed class StripeAccountClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static readonly HttpResilienceOptions Quick = new() { BaseDelay = TimeSpan.FromMilliseconds(10) };

    private StripeAccountClient Client(Secret? key = null, int attempts = 4, HttpClient? http = null) =>
        new(http ?? fake.Http, fake.Url("stripe"), key ?? PlatformFakes.StripeKey, new CollectingLog(), Quick with { MaxAttempts = attempts });

    [Fact]
    public async Task A_known_key_passes_the_check_in_test_mode()
    {
        var check = await Client().CheckKeyAsync(CancellationToken.None);

        Assert.False(check.Livemode);
        Assert.Equal("secret", check.KeyKind);
        Assert.Equal(["gbp"], check.Currencies);
        Assert.Contains("GET /stripe/v1/balance", await fake.RequestsAsync("stripe"));
    }

    [Fact]
    public async Task An_unknown_key_is_an_authentication_failure_that_shows_the_key_masked_only()
    {
        var key = new Secret("sk_test_notarealkey98765");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(key).CheckKeyAsync(CancellationToken.None));

        Assert.Equal("StripeKeyInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains("****8765", ex.Message);
        Assert.DoesNotContain(key.Reveal(), ex.Message);
        Assert.Equal("****8765", ex.Target);
    }

    [Fact]
    public async Task A_restricted_key_without_permission_is_refused_with_permission_denied()
    {
        await fake.PostAsync("__fake/stripe/keys", new { key = "rk_test_restrictedkey0001", restricted = true });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(new Secret("rk_test_restrictedkey0001")).CheckKeyAsync(CancellationToken.None));

        Assert.Equal("StripeKeyForbidden", ex.ErrorId);
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
    }

    [Fact]
    public async Task Listing_webhook_endpoints_follows_has_more_past_the_first_page()
    {
        var endpoints = Enumerable.Range(0, 230).Select(i => new { url = $"https://hotmess.london/hooks/{i}" }).ToArray();
        await fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints });

        var listed = await Client().ListWebhookEndpointsAsync(CancellationToken.None);

        Assert.Equal(230, listed.Count);
        Assert.Equal(230, listed.Select(e => e.Id).Distinct().Count());
        Assert.Equal("https://hotmess.london/hooks/229", listed[0].Url);
        Assert.Equal("https://hotmess.london/hooks/0", listed[^1].Url);
        var pages = (await fake.RequestsAsync("stripe")).Where(r => r.StartsWith("GET /stripe/v1/webhook_endpoints", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count);
        Assert.DoesNotContain("starting_after", pages[0]);
        Assert.Contains($"starting_after={listed[99].Id}", pages[1]);
        Assert.Contains($"starting_after={listed[199].Id}", pages[2]);
    }

    [Fact]
    public async Task Updating_a_webhook_endpoint_sends_url_events_and_disabled_as_stripe_form_fields()
    {
        await fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { id = "we_hotmess1", url = "https://old.vercel.app/api/stripe" } } });

        var updated = await Client().UpdateWebhookEndpointAsync("we_hotmess1", new StripeWebhookEndpointChange
        {
            Url = new Uri("https://hotmess.london/api/stripe/webhook"),
            EnabledEvents = ["checkout.session.completed", "charge.refunded"],
            Disabled = true,
        }, CancellationToken.None);

        Assert.Equal("https://hotmess.london/api/stripe/webhook", updated.Url);
        Assert.Equal(["checkout.session.completed", "charge.refunded"], updated.EnabledEvents);
        Assert.Equal("disabled", updated.Status);
        Assert.False(updated.Enabled);
        var state = (await fake.GetAsync("__fake/stripe/state")).GetProperty("endpoints")[0];
        Assert.Equal("disabled", state.GetProperty("status").GetString());
        Assert.Equal(2, state.GetProperty("enabled_events").GetArrayLength());
    }

    [Fact]
    public async Task Updating_an_unknown_endpoint_is_not_found_naming_it()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            Client().UpdateWebhookEndpointAsync("we_missing", new StripeWebhookEndpointChange { Disabled = false }, CancellationToken.None));

        Assert.Equal("StripeObjectNotFound", ex.ErrorId);
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Equal("we_missing", ex.Target);
        Assert.Contains("No such webhook endpoint", ex.Message);
    }

    [Fact]
    public async Task A_lasting_429_is_retried_up_to_the_attempt_limit_then_reported_as_rate_limited()
    {
        await fake.PostAsync("__fake/stripe/rate-limit", new { count = 5 });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(attempts: 3).CheckKeyAsync(CancellationToken.None));

        Assert.Equal("StripeRateLimited", ex.ErrorId);
        Assert.Equal(FailureKind.RateLimited, ex.Kind);
        Assert.Equal(3, (await fake.RequestsAsync("stripe")).Count);
    }

    [Fact]
    public async Task A_429_with_stripe_should_retry_false_is_reported_at_once()
    {
        await fake.PostAsync("__fake/stripe/rate-limit", new { count = 5, shouldRetry = false });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().CheckKeyAsync(CancellationToken.None));

        Assert.Equal("StripeRateLimited", ex.ErrorId);
        Assert.Single(await fake.RequestsAsync("stripe"));
    }

    [Fact]
    public async Task A_429_with_stripe_should_retry_true_is_retried()
    {
        await fake.PostAsync("__fake/stripe/rate-limit", new { count = 1, shouldRetry = true });

        var check = await Client().CheckKeyAsync(CancellationToken.None);

        Assert.Equal("secret", check.KeyKind);
        Assert.Equal(2, (await fake.RequestsAsync("stripe")).Count);
    }

    [Fact]
    public async Task An_update_answered_503_is_retried_with_the_same_idempotency_key()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Answer(HttpStatusCode.ServiceUnavailable, body: """{"error":{"type":"api_error","message":"busy"}}"""));
        await fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { id = "we_hotmess1", url = "https://old.vercel.app/api/stripe" } } });
        var keys = new List<string>();
        sent.OnSend = request => keys.Add(string.Join(",", request.Headers.GetValues("Idempotency-Key")));
        using var http = sent.Client();

        var updated = await Client(http: http).UpdateWebhookEndpointAsync("we_hotmess1", new StripeWebhookEndpointChange { Description = "retried" }, CancellationToken.None);

        Assert.Equal("retried", updated.Description);
        Assert.Equal(2, keys.Count);
        Assert.Single(keys.Distinct());
    }

    [Fact]
    public async Task A_refused_connection_on_a_read_is_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Refused);
        using var http = sent.Client();

        var check = await Client(http: http).CheckKeyAsync(CancellationToken.None);

        Assert.Equal("secret", check.KeyKind);
        Assert.Equal(2, sent.Requests.Count);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_is_a_connection_failure()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = new StripeAccountClient(fake.Http, new Uri($"http://127.0.0.1:{port}/stripe"), PlatformFakes.StripeKey, resilience: Quick with { MaxAttempts = 1 });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => client.CheckKeyAsync(CancellationToken.None));

        Assert.Equal("StripeUnreachable", ex.ErrorId);
        Assert.Equal(FailureKind.ConnectionFailed, ex.Kind);
    }

    [Fact]
    public void A_key_with_whitespace_is_refused_before_any_call()
    {
        var ex = Assert.Throws<HotmessException>(() => new StripeAccountClient(fake.Http, fake.Url("stripe"), new Secret("sk_test_with space 1234")));

        Assert.Equal("StripeKeyMalformed", ex.ErrorId);
        Assert.DoesNotContain("with space", ex.Message);
    }
}
