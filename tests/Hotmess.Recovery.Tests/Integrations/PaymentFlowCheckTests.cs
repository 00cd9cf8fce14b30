using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Stripe;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Integrations;

public sealed class PaymentFlowCheckTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private const string SiteSecret = "whsec_site_deployed_0001";
    private static readonly string[] Events = ["payment_intent.succeeded", "checkout.session.completed"];
    private readonly CollectingLog _log = new();

    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.PostAsync("__fake/site/stripe-webhook", new { secret = SiteSecret });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private string HookUrl => fake.Url("site/api/stripe/webhook").AbsoluteUri;

    private Task SeedEndpointAsync(string secret = SiteSecret, string status = "enabled", string? url = null) =>
        fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { url = url ?? HookUrl, status, enabledEvents = Events, secret } } });

    private Task<PaymentFlowResult> RunAsync(PaymentFlowRequest? request = null, Secret? key = null)
    {
        key ??= PlatformFakes.StripeKey;
        var stripe = new StripeAccountClient(fake.Http, fake.Url("stripe"), key, _log, new HttpResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });
        return new PaymentFlowCheck(stripe, key, TimeProvider.System, _log).RunAsync(
            request ?? new PaymentFlowRequest { Timeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromMilliseconds(200) }, CancellationToken.None);
    }

    private async Task<List<string?>> SiteEventsAsync() =>
        (await fake.GetAsync("__fake/site/stripe-webhook")).GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();

    [Fact]
    public async Task A_test_payment_succeeds_and_its_event_is_delivered_to_the_site_signed_with_its_secret()
    {
        await SeedEndpointAsync();

        var result = await RunAsync();

        Assert.True(result.Passed, result.Reason);
        Assert.Equal("succeeded", result.Status);
        Assert.StartsWith("pi_", result.PaymentIntentId);
        Assert.StartsWith("evt_", result.EventId);
        Assert.Equal(0, result.PendingWebhooks);
        Assert.True(result.Delivered);
        Assert.False(result.Livemode);
        Assert.Equal(100, result.Amount);
        Assert.Equal("gbp", result.Currency);
        Assert.Contains(result.EventId, await SiteEventsAsync());
        Assert.Single(await fake.RequestsAsync("stripe"), r => r.StartsWith("POST /stripe/v1/payment_intents", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_payment_carries_metadata_saying_it_is_a_recovery_check()
    {
        await SeedEndpointAsync();

        var result = await RunAsync();

        using var response = await fake.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, fake.Url("stripe/v1/payment_intents"))
        {
            Headers = { Authorization = new("Bearer", PlatformFakes.StripeKey.Reveal()) },
        });
        var listed = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0];
        Assert.Equal(result.PaymentIntentId, listed.GetProperty("id").GetString());
        Assert.Equal(PaymentFlowCheck.Purpose, listed.GetProperty("metadata").GetProperty("purpose").GetString());
        Assert.Equal("pm_card_visa", listed.GetProperty("payment_method").GetString());
    }

    [Fact]
    public async Task A_site_that_verifies_with_another_secret_leaves_the_webhook_pending_and_the_check_failed()
    {
        await SeedEndpointAsync(secret: "whsec_the_endpoint_has_another");

        var result = await RunAsync(new PaymentFlowRequest { Timeout = TimeSpan.FromSeconds(2), PollInterval = TimeSpan.FromMilliseconds(250) });

        Assert.False(result.Passed);
        Assert.Equal("succeeded", result.Status);
        Assert.Equal("WebhookNotDelivered", result.ErrorId);
        Assert.Equal(1, result.PendingWebhooks);
        Assert.False(result.Delivered);
        Assert.Contains("-RenewSecret", result.Reason);
        Assert.DoesNotContain(result.EventId, await SiteEventsAsync());
        Assert.True((await fake.GetAsync("__fake/site/stripe-webhook")).GetProperty("refused").GetInt64() > 0);
    }

    [Fact]
    public async Task A_declined_card_fails_the_check_with_the_decline_and_no_wait()
    {
        await SeedEndpointAsync();

        var result = await RunAsync(new PaymentFlowRequest { PaymentMethod = "pm_card_chargeDeclined", Timeout = TimeSpan.FromSeconds(30) });

        Assert.False(result.Passed);
        Assert.Equal("PaymentDeclined", result.ErrorId);
        Assert.Equal("requires_payment_method", result.Status);
        Assert.Contains("card_declined/generic_decline", result.Reason);
        Assert.Null(result.EventId);
        Assert.True(result.Duration < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task A_live_key_is_refused_before_any_payment_unless_allowed()
    {
        const string live = "sk_live_hotmessfakekey0002";
        await fake.PostAsync("__fake/stripe/keys", new { key = live });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => RunAsync(key: new Secret(live)));

        Assert.Equal("LivePaymentRefused", ex.ErrorId);
        Assert.DoesNotContain(live, ex.Message);
        Assert.DoesNotContain(await fake.RequestsAsync("stripe"), r => r.StartsWith("POST", StringComparison.Ordinal));
        await SeedEndpointAsync();
        var allowed = await RunAsync(new PaymentFlowRequest { AllowLivePayment = true, Timeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromMilliseconds(200) }, new Secret(live));
        Assert.True(allowed.Livemode);
        Assert.True(allowed.Passed, allowed.Reason);
    }

    [Fact]
    public async Task Without_an_endpoint_listening_the_event_has_nothing_pending_and_the_check_passes_with_no_delivery_to_wait_for()
    {
        var result = await RunAsync();

        Assert.True(result.Passed, result.Reason);
        Assert.Equal(0, result.PendingWebhooks);
        Assert.Empty(await SiteEventsAsync());
    }

    [Fact]
    public async Task Confirming_without_the_no_redirect_setting_is_refused_by_the_fake_as_stripe_does()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, fake.Url("stripe/v1/payment_intents"))
        {
            Headers = { Authorization = new("Bearer", PlatformFakes.StripeKey.Reveal()) },
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "100", ["currency"] = "gbp", ["payment_method"] = "pm_card_visa", ["confirm"] = "true" }),
        };
        using var response = await fake.Http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("return_url", await response.Content.ReadAsStringAsync());
    }
}
