using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;

namespace Hotmess.Recovery.Tests.Monitoring;

/// <summary>The checks that talk to services, against the fakes: the site, Supabase's metrics, Stripe and the status pages.</summary>
public sealed class HealthCheckEngineFakeTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fake.ResetAsync();
        await fake.Control.DeleteAsync("__fake/site/health");
        await fake.Control.DeleteAsync("__fake/metrics");
        await fake.Control.DeleteAsync("__fake/stripe/activity");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private HealthTargets Targets => new()
    {
        SiteUrl = fake.Url("site").ToString(),
        SupabaseUrl = fake.BaseUrl.ToString(),
        SupabaseServiceRoleKey = new Secret(FakeServer.ServiceKey),
        StripeApiUrl = fake.Url("stripe").ToString(),
        StripeSecretKey = new Secret(Hotmess.Recovery.Fakes.Stripe.StripeFake.DefaultKey),
    };

    private MonitoringSettings Settings(double siteSeconds = 10) => new()
    {
        CpuSampleSeconds = 0,
        StatusPages = new()
        {
            ["Vercel"] = fake.Url("statuspage/vercel").ToString(),
            ["Supabase"] = fake.Url("statuspage/supabase").ToString(),
            ["Stripe"] = fake.Url("statuspage/stripe").ToString(),
        },
        Checks = new() { ["Site"] = new HealthCheckSettings { Threshold = siteSeconds } },
    };

    private Task<IReadOnlyList<HealthCheckResult>> RunAsync(string check, HealthTargets? targets = null, MonitoringSettings? settings = null) =>
        new HealthCheckEngine(settings ?? Settings(), targets ?? Targets, fake.Http).RunAsync([check], CancellationToken.None);

    [Fact]
    public async Task Site_is_healthy_when_the_health_endpoint_answers_2xx_in_time()
    {
        var result = Assert.Single(await RunAsync("Site"));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(AlertSeverity.Critical, result.Severity);
        Assert.Contains("/site/api/health", result.Message);
    }

    [Fact]
    public async Task Site_is_unhealthy_while_the_health_endpoint_fails_and_healthy_once_it_recovers()
    {
        await fake.PostAsync("__fake/site/health", new { status = 503 });

        var failing = Assert.Single(await RunAsync("Site"));

        Assert.Equal(HealthStatus.Unhealthy, failing.Status);
        Assert.Equal("503", failing.Value);

        await fake.Control.DeleteAsync("__fake/site/health");
        Assert.Equal(HealthStatus.Healthy, Assert.Single(await RunAsync("Site")).Status);
    }

    [Fact]
    public async Task Site_is_unhealthy_when_the_health_endpoint_is_slower_than_the_threshold()
    {
        await fake.PostAsync("__fake/site/health", new { delayMs = 600 });

        var result = Assert.Single(await RunAsync("Site", settings: Settings(siteSeconds: 0.3)));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("took", result.Message);
        Assert.Equal("2xx within 0.3 s", result.Threshold);
    }

    [Fact]
    public async Task Site_is_skipped_without_a_site_url()
    {
        var result = Assert.Single(await RunAsync("Site", Targets with { SiteUrl = null }));

        Assert.Equal(HealthStatus.Skipped, result.Status);
        Assert.Contains("HOTMESS_SITE_URL", result.Message);
    }

    [Fact]
    public async Task DatabaseResources_reports_cpu_memory_and_disk_healthy_below_80_percent()
    {
        await fake.PostAsync("__fake/metrics", new { cpuPercent = 35, memoryPercent = 50, diskPercent = 60, cpus = 4 });

        var results = await RunAsync("DatabaseResources");

        Assert.Equal(["DatabaseResources/CPU", "DatabaseResources/Memory", "DatabaseResources/Disk"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal(HealthStatus.Healthy, r.Status));
        Assert.Equal(["35 %", "50 %", "60 %"], results.Select(r => r.Value));
        Assert.Contains("4 cpu(s)", results[0].Message);
    }

    [Fact]
    public async Task DatabaseResources_is_unhealthy_for_the_resource_above_80_percent()
    {
        await fake.PostAsync("__fake/metrics", new { cpuPercent = 20, memoryPercent = 50, diskPercent = 91 });

        var results = await RunAsync("DatabaseResources");

        var disk = Assert.Single(results, r => r.Status == HealthStatus.Unhealthy);
        Assert.Equal("DatabaseResources/Disk", disk.Name);
        Assert.Equal("91 %", disk.Value);
        Assert.Equal(AlertSeverity.High, disk.Severity);
    }

    [Fact]
    public async Task DatabaseResources_with_a_refused_key_is_unhealthy_naming_the_key_masked()
    {
        var result = Assert.Single(await RunAsync("DatabaseResources", Targets with { SupabaseServiceRoleKey = new Secret("wrong-service-role-key") }));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("refused the service-role key ****-key", result.Message);
        Assert.DoesNotContain("wrong-service-role-key", result.Message);
    }

    [Fact]
    public async Task DatabaseResources_is_skipped_without_the_service_role_key()
    {
        var result = Assert.Single(await RunAsync("DatabaseResources", Targets with { SupabaseServiceRoleKey = null }));

        Assert.Equal(HealthStatus.Skipped, result.Status);
        Assert.Contains("SUPABASE_SERVICE_ROLE_KEY", result.Message);
    }

    [Fact]
    public async Task StripeWebhooks_is_healthy_when_at_most_5_percent_of_the_last_hours_events_are_undelivered()
    {
        // 1 of 25 undelivered (4 %), and an undelivered event from two hours ago that does not count.
        await fake.PostAsync("__fake/stripe/events", new { events = Enumerable.Range(0, 24).Select(_ => new { delivered = true }).Append(new { delivered = false }) });
        await fake.PostAsync("__fake/stripe/events", new { events = new[] { new { delivered = false, minutesAgo = 120 } } });

        var result = Assert.Single(await RunAsync("StripeWebhooks"));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("4 %", result.Value);
        Assert.StartsWith("1 of 25", result.Message);
    }

    [Fact]
    public async Task StripeWebhooks_is_unhealthy_above_5_percent_counting_past_the_first_page()
    {
        // 130 events (two pages of 100), 10 undelivered: 7.7 %.
        await fake.PostAsync("__fake/stripe/events", new { events = Enumerable.Range(0, 130).Select(i => new { delivered = i % 13 != 0 }) });

        var result = Assert.Single(await RunAsync("StripeWebhooks"));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("7.7 %", result.Value);
        Assert.StartsWith("10 of 130", result.Message);
    }

    [Fact]
    public async Task StripePayments_is_unhealthy_when_over_5_percent_of_attempted_payments_failed()
    {
        // 18 succeeded, 2 declined, 3 never attempted (no error, awaiting a payment method): 2 of 20 = 10 %.
        await fake.PostAsync("__fake/stripe/payment-intents", new
        {
            paymentIntents = Enumerable.Range(0, 18).Select(_ => new { status = "succeeded", failed = false })
                .Concat(Enumerable.Range(0, 2).Select(_ => new { status = "requires_payment_method", failed = true }))
                .Concat(Enumerable.Range(0, 3).Select(_ => new { status = "requires_payment_method", failed = false })),
        });

        var result = Assert.Single(await RunAsync("StripePayments"));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("10 %", result.Value);
        Assert.StartsWith("2 of 20", result.Message);
    }

    [Fact]
    public async Task StripePayments_is_healthy_with_no_payments_in_the_last_hour()
    {
        await fake.PostAsync("__fake/stripe/payment-intents", new { paymentIntents = new[] { new { failed = true, minutesAgo = 90 } } });

        var result = Assert.Single(await RunAsync("StripePayments"));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("0 of 0", result.Message);
    }

    [Fact]
    public async Task Stripe_checks_are_skipped_without_a_key()
    {
        var results = await new HealthCheckEngine(Settings(), Targets with { StripeSecretKey = null }, fake.Http)
            .RunAsync(["StripeWebhooks", "StripePayments"], CancellationToken.None);

        Assert.All(results, r => Assert.Equal(HealthStatus.Skipped, r.Status));
        Assert.All(results, r => Assert.Contains("STRIPE_SECRET_KEY", r.Message));
    }

    [Fact]
    public async Task Stripe_checks_with_a_refused_key_are_unhealthy_without_the_key()
    {
        var result = Assert.Single(await RunAsync("StripeWebhooks", Targets with { StripeSecretKey = new Secret("sk_test_notakeystripeknows") }));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.DoesNotContain("sk_test_notakeystripeknows", result.Message);
    }

    [Fact]
    public async Task Providers_are_healthy_when_every_page_is_operational()
    {
        var results = await RunAsync("Providers");

        Assert.Equal(["Providers/Vercel", "Providers/Supabase", "Providers/Stripe"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal(HealthStatus.Healthy, r.Status));
    }

    [Fact]
    public async Task A_major_outage_is_unhealthy_at_High_and_a_minor_one_degraded_at_Medium()
    {
        await fake.PostAsync("__fake/statuspage/pages", new { page = "vercel", indicator = "major" });
        await fake.PostAsync("__fake/statuspage/pages", new { page = "supabase", indicator = "minor" });

        var results = await RunAsync("Providers");

        var vercel = results.Single(r => r.Name == "Providers/Vercel");
        Assert.Equal((HealthStatus.Unhealthy, AlertSeverity.High), (vercel.Status, vercel.Severity));
        Assert.Contains("API: partial_outage", vercel.Message);
        var supabase = results.Single(r => r.Name == "Providers/Supabase");
        Assert.Equal((HealthStatus.Degraded, AlertSeverity.Medium), (supabase.Status, supabase.Severity));
    }

    [Fact]
    public async Task Stripe_is_read_from_its_own_status_site()
    {
        await fake.PostAsync("__fake/statuspage/pages", new { page = "stripe", indicator = "critical", description = "Payments are failing" });

        var stripe = (await RunAsync("Providers")).Single(r => r.Name == "Providers/Stripe");

        Assert.Equal(HealthStatus.Unhealthy, stripe.Status);
        Assert.Contains("/current/full", stripe.Message);
        Assert.Contains("Payments are failing", stripe.Message);
    }

    [Fact]
    public async Task A_page_that_is_not_statuspage_is_degraded_with_the_reason()
    {
        await fake.PostAsync("__fake/statuspage/pages", new { page = "supabase", mode = "html" });

        var supabase = (await RunAsync("Providers")).Single(r => r.Name == "Providers/Supabase");

        Assert.Equal(HealthStatus.Degraded, supabase.Status);
        Assert.Contains("not a Statuspage page", supabase.Message);
    }

    [Fact]
    public async Task Providers_are_skipped_without_status_pages()
    {
        var settings = Settings();
        settings.StatusPages.Clear();

        var result = Assert.Single(await RunAsync("Providers", settings: settings));

        Assert.Equal(HealthStatus.Skipped, result.Status);
    }

    [Fact]
    public async Task Configured_severities_replace_the_defaults()
    {
        await fake.PostAsync("__fake/site/health", new { status = 500 });
        var settings = Settings();
        settings.Checks = new() { ["site"] = new HealthCheckSettings { Severity = AlertSeverity.Medium } };

        var result = Assert.Single(await RunAsync("Site", settings: settings));

        Assert.Equal((HealthStatus.Unhealthy, AlertSeverity.Medium), (result.Status, result.Severity));
    }
}
