using Hotmess.Recovery.Common;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Resend;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Integrations;

public sealed class EmailDeliveryCheckTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private readonly CollectingLog _log = new();

    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private Task<EmailDeliveryResult> RunAsync(string to = "ops@hotmess.london", string? domain = null, string? from = null, int timeoutMs = 5000)
    {
        var resend = new ResendClient(fake.Http, fake.Url("resend/"), PlatformFakes.ResendKey, _log, new HttpResilienceOptions { BaseDelay = TimeSpan.FromMilliseconds(10) });
        return new EmailDeliveryCheck(resend, TimeProvider.System, _log).RunAsync(new EmailDeliveryRequest
        {
            To = to,
            Domain = domain,
            From = from,
            Timeout = TimeSpan.FromMilliseconds(timeoutMs),
            PollInterval = TimeSpan.FromMilliseconds(100),
        }, CancellationToken.None);
    }

    private async Task<List<string>> SentToAsync() =>
        (await fake.GetAsync("__fake/resend/emails")).EnumerateArray().Select(e => e.GetProperty("to")[0].GetString()!).ToList();

    [Fact]
    public async Task A_verified_domain_and_a_delivered_email_pass_after_waiting_past_sent()
    {
        var result = await RunAsync();

        Assert.True(result.Passed, result.Reason);
        Assert.Equal("hotmess.london", result.Domain);
        Assert.Equal("verified", result.DomainStatus);
        Assert.Equal("delivered", result.LastEvent);
        Assert.NotNull(result.EmailId);
        Assert.Equal(["ops@hotmess.london"], await SentToAsync());
        var reads = (await fake.RequestsAsync("resend")).Count(r => r.StartsWith($"GET /resend/emails/{result.EmailId}", StringComparison.Ordinal));
        Assert.Equal(2, reads);
        var sent = (await fake.GetAsync("__fake/resend/emails"))[0];
        Assert.Equal("HotmessRecovery <recovery-check@hotmess.london>", sent.GetProperty("from").GetString());
    }

    [Fact]
    public async Task An_unverified_domain_fails_before_any_email_is_sent()
    {
        await fake.PostAsync("__fake/resend/domains", new { domains = new[] { new { name = "mail.hotmess.london", status = "pending" } } });

        var result = await RunAsync(domain: "mail.hotmess.london");

        Assert.False(result.Passed);
        Assert.Equal("DomainNotVerified", result.ErrorId);
        Assert.Equal("pending", result.DomainStatus);
        Assert.Null(result.EmailId);
        Assert.Empty(await SentToAsync());
    }

    [Fact]
    public async Task A_domain_resend_does_not_know_is_reported_as_not_found()
    {
        var result = await RunAsync(from: "Alerts <alerts@elsewhere.example>");

        Assert.False(result.Passed);
        Assert.Equal("DomainNotFound", result.ErrorId);
        Assert.Equal("elsewhere.example", result.Domain);
        Assert.Equal("not_found", result.DomainStatus);
        Assert.Contains("hotmess.london (verified)", result.Reason);
    }

    [Fact]
    public async Task A_bounce_fails_the_check_with_the_event()
    {
        var result = await RunAsync(to: "bounced@resend.dev");

        Assert.False(result.Passed);
        Assert.Equal("EmailNotDelivered", result.ErrorId);
        Assert.Equal("bounced", result.LastEvent);
    }

    [Fact]
    public async Task An_email_still_only_sent_at_the_timeout_fails_naming_its_last_event()
    {
        var result = await RunAsync(to: "undelivered@hotmess.test", timeoutMs: 600);

        Assert.False(result.Passed);
        Assert.Equal("EmailNotDelivered", result.ErrorId);
        Assert.Equal("sent", result.LastEvent);
        Assert.Contains("not delivered within", result.Reason);
        Assert.Contains(_log.Progress, p => p.Status == "sent");
    }

    [Fact]
    public async Task With_several_domains_and_none_named_the_error_says_how_to_name_one()
    {
        await fake.PostAsync("__fake/resend/domains", new { domains = new[] { new { name = "news.hotmess.london" } } });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => RunAsync());

        Assert.Equal("EmailDomainUnknown", ex.ErrorId);
        Assert.Contains("-Domain", ex.Message);
    }

    [Theory]
    [InlineData("a@b.example", "b.example")]
    [InlineData("HOTMESS <alerts@hotmess.london>", "hotmess.london")]
    [InlineData("no-at-sign", null)]
    [InlineData(null, null)]
    public void The_domain_of_an_address_is_what_follows_the_at_sign(string? address, string? domain) =>
        Assert.Equal(domain, EmailDeliveryCheck.DomainOf(address));
}
