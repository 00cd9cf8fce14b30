using System.Collections;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Environments;

public sealed class IntegrationTesterTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private static readonly Integration[] All = [Integration.Supabase, Integration.Stripe, Integration.Resend];

    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { id = "we_site", url = fake.Url("api/stripe/webhook").ToString() } } });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>The settings a runbook would have: every key right, every service at the fake.</summary>
    private IntegrationSettings Settings() => new()
    {
        SupabaseUrl = fake.BaseUrl.ToString(),
        SupabaseAnonKey = PlatformFakes.AnonKey,
        SupabaseServiceRoleKey = new Secret(PlatformFakes.ServiceRoleKey),
        SupabaseManagementUrl = fake.Url("supabase-management").ToString(),
        SupabaseAccessToken = PlatformFakes.ManagementToken,
        SupabaseProjectRef = PlatformFakes.ProjectRef,
        StripeApiUrl = fake.Url("stripe").ToString(),
        StripeSecretKey = PlatformFakes.StripeKey,
        ResendApiUrl = fake.Url("resend").ToString(),
        ResendApiKey = PlatformFakes.ResendKey,
        SiteUrl = fake.BaseUrl.ToString(),
    };

    private Task<IReadOnlyList<IntegrationCheckResult>> TestAsync(IntegrationSettings settings, params Integration[] integrations) =>
        new IntegrationTester(fake.Http, settings, new CollectingLog()).TestAsync(integrations.Length == 0 ? All : integrations, CancellationToken.None);

    private static IntegrationCheckResult Result(IReadOnlyList<IntegrationCheckResult> results, string check) => results.Single(r => r.Check == check);

    [Fact]
    public async Task With_every_key_current_every_check_passes()
    {
        var results = await TestAsync(Settings());

        Assert.Equal(["AnonKey", "ServiceRoleKey", "Project", "SecretKey", "WebhookEndpoint", "ApiKey"], results.Select(r => r.Check));
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Integration} {r.Check}: {r.Reason}"));
        Assert.Contains("current 'anon' key", Result(results, "AnonKey").Reason);
        Assert.Contains("we_site", Result(results, "WebhookEndpoint").Reason);
        Assert.Contains("full access; hotmess.london (verified)", Result(results, "ApiKey").Reason);
    }

    [Fact]
    public async Task No_result_ever_carries_a_key_in_clear()
    {
        var settings = Settings() with { StripeSecretKey = new Secret("sk_test_wrongkey_abcdefgh9999") };

        var results = await TestAsync(settings);

        var text = JsonSerializer.Serialize(results);
        foreach (var secret in new[] { settings.SupabaseAnonKey!, settings.SupabaseServiceRoleKey!, settings.SupabaseAccessToken!, settings.StripeSecretKey!, settings.ResendApiKey! })
        {
            Assert.DoesNotContain(secret.Reveal(), text);
        }

        Assert.Equal("****9999", Result(results, "SecretKey").Target);
    }

    [Fact]
    public async Task Only_the_asked_integrations_are_tested()
    {
        var results = await TestAsync(Settings(), Integration.Resend);

        Assert.Equal(Integration.Resend, Assert.Single(results).Integration);
        Assert.Empty(await fake.RequestsAsync("stripe"));
    }

    [Fact]
    public async Task A_missing_key_fails_its_check_naming_the_variable_and_the_others_still_run()
    {
        var results = await TestAsync(Settings() with { StripeSecretKey = null });

        var key = Result(results, "SecretKey");
        Assert.False(key.Passed);
        Assert.Equal("IntegrationSettingMissing", key.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, key.FailureKind);
        Assert.Contains("STRIPE_SECRET_KEY", key.Reason);
        Assert.False(Result(results, "WebhookEndpoint").Passed);
        Assert.True(Result(results, "ApiKey").Passed);
    }

    [Fact]
    public async Task A_wrong_stripe_key_fails_both_stripe_checks_as_authentication_failures()
    {
        var results = await TestAsync(Settings() with { StripeSecretKey = new Secret("sk_test_wrongkey_00001111") }, Integration.Stripe);

        Assert.All(results, r =>
        {
            Assert.False(r.Passed);
            Assert.Equal("StripeKeyInvalid", r.ErrorId);
            Assert.Equal(FailureKind.AuthenticationFailed, r.FailureKind);
        });
    }

    [Fact]
    public async Task A_webhook_endpoint_pointing_elsewhere_fails_listing_what_was_found()
    {
        await fake.PostAsync("__fake/stripe/reset", new { });
        await fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { url = "https://hotmess-old.vercel.app/api/stripe/webhook" } } });

        var check = Result(await TestAsync(Settings(), Integration.Stripe), "WebhookEndpoint");

        Assert.False(check.Passed);
        Assert.Equal("StripeWebhookEndpointMissing", check.ErrorId);
        Assert.Contains("hotmess-old.vercel.app", check.Reason);
    }

    [Fact]
    public async Task A_disabled_webhook_endpoint_for_the_site_fails()
    {
        await fake.PostAsync("__fake/stripe/reset", new { });
        await fake.PostAsync("__fake/stripe/webhook-endpoints", new { endpoints = new[] { new { url = fake.Url("api/stripe/webhook").ToString(), status = "disabled" } } });

        var check = Result(await TestAsync(Settings(), Integration.Stripe), "WebhookEndpoint");

        Assert.False(check.Passed);
        Assert.Equal("StripeWebhookEndpointDisabled", check.ErrorId);
    }

    [Fact]
    public async Task A_service_role_key_that_was_rotated_away_fails_even_though_storage_still_takes_it()
    {
        await fake.PostAsync("__fake/supabase-management/keys", new { serviceRoleKey = "service-role-key-after-rotation" });

        var check = Result(await TestAsync(Settings(), Integration.Supabase), "ServiceRoleKey");

        Assert.False(check.Passed);
        Assert.Equal("SupabaseKeyNotCurrent", check.ErrorId);
        Assert.Contains("rotated", check.Reason);
    }

    [Fact]
    public async Task Swapped_supabase_keys_fail_without_calling_the_project()
    {
        var results = await TestAsync(Settings() with
        {
            SupabaseAnonKey = new Secret(SupabaseKeyJwt("service_role")),
            SupabaseServiceRoleKey = PlatformFakes.AnonKey,
            SupabaseAccessToken = null,
        }, Integration.Supabase);

        Assert.Equal(["SupabaseAnonKeyIsServiceRole", "SupabaseServiceRoleKeyIsNotServiceRole"], results.Select(r => r.ErrorId));
        Assert.Empty(await fake.RequestsAsync("supabase-management"));
    }

    [Fact]
    public async Task Without_a_management_token_the_keys_are_still_tested_and_the_project_check_is_left_out()
    {
        var results = await TestAsync(Settings() with { SupabaseAccessToken = null }, Integration.Supabase);

        Assert.Equal(["AnonKey", "ServiceRoleKey"], results.Select(r => r.Check));
        Assert.All(results, r => Assert.True(r.Passed, r.Reason));
    }

    [Fact]
    public async Task An_unhealthy_project_fails_the_project_check_naming_the_service()
    {
        await fake.PostAsync("__fake/supabase-management/health", new { services = new { storage = new { status = "UNHEALTHY", error = "timeout" } } });

        var check = Result(await TestAsync(Settings(), Integration.Supabase), "Project");

        Assert.False(check.Passed);
        Assert.Equal("SupabaseProjectUnhealthy", check.ErrorId);
        Assert.Contains("storage UNHEALTHY (timeout)", check.Reason);
    }

    [Fact]
    public async Task A_rate_limited_service_fails_its_check_as_rate_limited()
    {
        await fake.PostAsync("__fake/resend/rate-limit", new { count = 10, retryAfterSeconds = 600 });

        var check = Result(await TestAsync(Settings(), Integration.Resend), "ApiKey");

        Assert.False(check.Passed);
        Assert.Equal("ResendRateLimited", check.ErrorId);
        Assert.Equal(FailureKind.RateLimited, check.FailureKind);
        Assert.Contains("Retry after 600 s", check.Reason);
    }

    [Fact]
    public void Settings_come_from_the_plans_variables_and_the_project_ref_from_a_hosted_url()
    {
        var environment = new Hashtable
        {
            ["VITE_SUPABASE_URL"] = "https://abcdefghijklmnopqrst.supabase.co",
            ["VITE_SUPABASE_ANON_KEY"] = "anon-from-env",
            ["STRIPE_SECRET_KEY"] = "sk_from_env_1234",
            ["HOTMESS_SITE_URL"] = "https://staging.hotmess.london",
        };
        var configuration = ConfigurationLoader.Load(null, environment);

        var settings = IntegrationSettings.Resolve(configuration, environment, new IntegrationSettings { StripeSecretKey = new Secret("sk_explicit_5678") });

        Assert.Equal("abcdefghijklmnopqrst", settings.SupabaseProjectRef);
        Assert.Equal("anon-from-env", settings.SupabaseAnonKey!.Reveal());
        Assert.Equal("sk_explicit_5678", settings.StripeSecretKey!.Reveal());
        Assert.Equal("https://staging.hotmess.london", settings.SiteUrl);
        Assert.Equal("https://api.stripe.com", settings.StripeApiUrl);
        Assert.Null(settings.ResendApiKey);
    }

    [Theory]
    [InlineData("https://hotmess.london/api/stripe/webhook", "https://hotmess.london", true)]
    [InlineData("https://HOTMESS.london/api/stripe", "https://hotmess.london/", true)]
    [InlineData("https://hotmess.london.evil.example/api", "https://hotmess.london", false)]
    [InlineData("http://hotmess.london/api", "https://hotmess.london", false)]
    [InlineData("https://hotmess.london/app2/hook", "https://hotmess.london/app", false)]
    [InlineData("https://hotmess.london/app/hook", "https://hotmess.london/app", true)]
    public void An_endpoint_points_at_the_site_when_scheme_host_port_and_path_prefix_agree(string endpoint, string site, bool expected) =>
        Assert.Equal(expected, IntegrationTester.PointsUnder(endpoint, new Uri(site)));

    private static string SupabaseKeyJwt(string role) => Tests.Platform.Supabase.SupabaseKeysTests.Jwt($"{{\"role\":\"{role}\"}}");
}
