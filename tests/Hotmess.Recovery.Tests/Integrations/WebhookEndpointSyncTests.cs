using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Stripe;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Platform.Vercel;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Integrations;

public sealed class WebhookEndpointSyncTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private const string HookUrl = "https://hotmess.london/api/stripe/webhook";
    private static readonly string[] Events = ["checkout.session.completed", "payment_intent.succeeded"];
    private readonly CollectingLog _log = new();

    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.ResetVercelAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private async Task<(WebhookEndpointPlan Plan, WebhookEndpointSyncResult Result)> SyncAsync(WebhookEndpointSyncRequest request)
    {
        using var vercel = fake.Client(_log);
        var stripe = new StripeAccountClient(fake.Http, fake.Url("stripe"), PlatformFakes.StripeKey, _log, new HttpResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });
        var sync = new WebhookEndpointSync(stripe, new VercelEnvironmentStore(vercel), _log);
        var plan = await sync.PlanAsync(request, CancellationToken.None);
        return (plan, await sync.ApplyAsync(plan, CancellationToken.None));
    }

    private Task SeedEndpointAsync(string id, string status = "enabled", string[]? events = null, string? secret = null) =>
        fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { id, url = HookUrl, status, enabledEvents = events ?? Events, secret } } });

    private Task SeedSecretAsync(string value = "whsec_known_0001", string type = "encrypted") =>
        fake.SeedVariablesAsync(new { key = "STRIPE_WEBHOOK_SECRET", value, type, target = new[] { "production", "preview" } });

    private async Task<JsonElement> StripeStateAsync() => await fake.GetAsync("__fake/stripe/state");

    private async Task<List<JsonElement>> VercelSecretsAsync() =>
        (await fake.StateAsync()).GetProperty("environment").EnumerateArray().Where(v => v.GetProperty("key").GetString() == "STRIPE_WEBHOOK_SECRET").ToList();

    [Fact]
    public async Task A_missing_endpoint_is_created_with_the_configured_events_and_its_secret_written_to_vercel()
    {
        var (plan, result) = await SyncAsync(new WebhookEndpointSyncRequest
        {
            Configuration = new StripeSettings { WebhookUrl = HookUrl, WebhookEvents = [.. Events] },
        });

        Assert.Equal(WebhookEndpointAction.Created, plan.Action);
        Assert.Equal(WebhookEndpointAction.Created, result.Action);
        Assert.True(result.SecretChanged);
        Assert.Equal("Configuration", result.EventsSource);
        Assert.Equal(Events, result.EnabledEvents);
        Assert.Equal(HookUrl, result.Url);
        Assert.Equal("enabled", result.Status);
        var state = await StripeStateAsync();
        var stripeSecret = state.GetProperty("secrets").GetProperty(result.Id).GetString()!;
        var saved = Assert.Single(await VercelSecretsAsync());
        Assert.Equal(stripeSecret, saved.GetProperty("value").GetString());
        Assert.Equal("encrypted", saved.GetProperty("type").GetString());
        Assert.Equal(["production", "preview"], saved.GetProperty("target").EnumerateArray().Select(t => t.GetString()));
        Assert.DoesNotContain(_log.Verbose.Concat(_log.Warnings), m => m.Contains(stripeSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(stripeSecret, JsonSerializer.Serialize(result));
    }

    [Fact]
    public async Task A_disabled_endpoint_is_enabled_in_place_and_keeps_its_secret()
    {
        await SeedEndpointAsync("we_old", status: "disabled");
        await SeedSecretAsync();

        var (_, result) = await SyncAsync(new WebhookEndpointSyncRequest { Url = new Uri(HookUrl) });

        Assert.Equal("we_old", result.Id);
        Assert.Equal(WebhookEndpointAction.Enabled, result.Action);
        Assert.Equal("enabled", result.Status);
        Assert.False(result.SecretChanged);
        Assert.Equal("Endpoint", result.EventsSource);
        Assert.Equal("whsec_known_0001", Assert.Single(await VercelSecretsAsync()).GetProperty("value").GetString());
        Assert.DoesNotContain("POST /stripe/v1/webhook_endpoints", await fake.RequestsAsync("stripe"));
    }

    [Fact]
    public async Task Events_that_differ_from_the_wanted_ones_are_replaced()
    {
        await SeedEndpointAsync("we_old", events: ["charge.refunded"]);
        await SeedSecretAsync();

        var (_, result) = await SyncAsync(new WebhookEndpointSyncRequest { Url = new Uri(HookUrl), EnabledEvents = Events });

        Assert.Equal(WebhookEndpointAction.EventsUpdated, result.Action);
        Assert.Equal("Parameter", result.EventsSource);
        Assert.Equal(Events, result.EnabledEvents);
        var stored = (await StripeStateAsync()).GetProperty("endpoints")[0].GetProperty("enabled_events").EnumerateArray().Select(e => e.GetString());
        Assert.Equal(Events, stored);
    }

    [Fact]
    public async Task An_endpoint_as_wanted_with_its_secret_in_vercel_is_left_alone()
    {
        await SeedEndpointAsync("we_old", events: [Events[1], Events[0]]);
        await SeedSecretAsync();
        using (var response = await fake.Control.DeleteAsync("__fake/stripe/requests"))
        {
            response.EnsureSuccessStatusCode();
        }

        var (_, result) = await SyncAsync(new WebhookEndpointSyncRequest { SiteUrl = new Uri("https://hotmess.london"), EnabledEvents = Events });

        Assert.Equal(WebhookEndpointAction.Unchanged, result.Action);
        Assert.Equal("we_old", result.Id);
        Assert.All(await fake.RequestsAsync("stripe"), r => Assert.StartsWith("GET ", r, StringComparison.Ordinal));
        Assert.DoesNotContain(await fake.RequestsAsync(), r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_endpoint_whose_secret_vercel_lacks_is_recreated_and_the_old_one_deleted()
    {
        await SeedEndpointAsync("we_old", secret: "whsec_lost_forever");

        var (plan, result) = await SyncAsync(new WebhookEndpointSyncRequest { Url = new Uri(HookUrl) });

        Assert.Contains("no STRIPE_WEBHOOK_SECRET", plan.Reason);
        Assert.Equal(WebhookEndpointAction.Created, result.Action);
        Assert.NotEqual("we_old", result.Id);
        Assert.Equal(["we_old"], result.Removed);
        Assert.Equal(Events, result.EnabledEvents);
        var state = await StripeStateAsync();
        Assert.Equal(result.Id, Assert.Single(state.GetProperty("endpoints").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(state.GetProperty("secrets").GetProperty(result.Id).GetString(), Assert.Single(await VercelSecretsAsync()).GetProperty("value").GetString());
    }

    [Fact]
    public async Task Renewing_the_secret_keeps_the_vercel_variable_type_and_targets()
    {
        await SeedEndpointAsync("we_old");
        await SeedSecretAsync(type: "sensitive");

        var (_, result) = await SyncAsync(new WebhookEndpointSyncRequest { Url = new Uri(HookUrl), RenewSecret = true });

        Assert.True(result.SecretChanged);
        var saved = Assert.Single(await VercelSecretsAsync());
        Assert.Equal("sensitive", saved.GetProperty("type").GetString());
        Assert.NotEqual("whsec_known_0001", saved.GetProperty("value").GetString());
        Assert.Equal((await StripeStateAsync()).GetProperty("secrets").GetProperty(result.Id).GetString(), saved.GetProperty("value").GetString());
    }

    [Fact]
    public async Task When_vercel_refuses_the_secret_the_new_endpoint_is_deleted_and_the_old_one_kept()
    {
        await SeedEndpointAsync("we_old");
        await fake.PostAsync("/__fake/vercel/env/failures", new { key = "STRIPE_WEBHOOK_SECRET" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => SyncAsync(new WebhookEndpointSyncRequest { Url = new Uri(HookUrl) }));

        Assert.Equal("WebhookSecretNotSaved", ex.ErrorId);
        var endpoints = (await StripeStateAsync()).GetProperty("endpoints").EnumerateArray().ToList();
        Assert.Equal("we_old", Assert.Single(endpoints).GetProperty("id").GetString());
    }

    [Fact]
    public async Task Without_an_endpoint_or_events_to_create_it_with_the_error_says_how_to_give_them()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => SyncAsync(new WebhookEndpointSyncRequest { Url = new Uri(HookUrl) }));

        Assert.Equal("WebhookEventsUnknown", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Contains("-EnabledEvent", ex.Message);
        Assert.Empty((await StripeStateAsync()).GetProperty("endpoints").EnumerateArray());
    }

    [Fact]
    public async Task Without_a_url_and_no_endpoint_under_the_site_the_error_says_how_to_give_one()
    {
        await fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { url = "https://elsewhere.example/hook" } } });

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            SyncAsync(new WebhookEndpointSyncRequest { SiteUrl = new Uri("https://hotmess.london"), EnabledEvents = Events }));

        Assert.Equal("WebhookUrlUnknown", ex.ErrorId);
        Assert.Contains("stripe.webhookUrl", ex.Message);
    }
}
