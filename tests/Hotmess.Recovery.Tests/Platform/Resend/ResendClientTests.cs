using System.Net;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Resend;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Resend;

public sealed class ResendClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private static readonly ResendEmail Alert = new("HOTMESS Recovery <recovery@hotmess.london>", ["ops@hotmess.london"], "Credential recovery finished")
    {
        Text = "All integrations passed.",
    };

    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private ResendClient Client(Secret? key = null, CollectingLog? log = null, HttpClient? http = null, int attempts = 4) =>
        new(http ?? fake.Http, fake.Url("resend"), key ?? PlatformFakes.ResendKey, log ?? new CollectingLog(),
            new HttpResilienceOptions { MaxAttempts = attempts, BaseDelay = TimeSpan.FromMilliseconds(10) });

    [Fact]
    public async Task A_full_access_key_lists_every_domain_across_pages()
    {
        var domains = Enumerable.Range(0, 130).Select(i => new { name = $"d{i:000}.hotmess.london", status = "pending" }).ToArray();
        await fake.PostAsync("__fake/resend/domains", new { domains });

        var check = await Client().CheckKeyAsync(CancellationToken.None);

        Assert.True(check.FullAccess);
        Assert.Equal(131, check.Domains.Count);
        Assert.Equal("hotmess.london", check.Domains[0].Name);
        Assert.Equal("verified", check.Domains[0].Status);
        Assert.Equal("d129.hotmess.london", check.Domains[^1].Name);
        var pages = (await fake.RequestsAsync("resend")).Where(r => r.StartsWith("GET /resend/domains", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, pages.Count);
        Assert.Contains($"after={check.Domains[99].Id}", pages[1]);
    }

    [Fact]
    public async Task A_sending_only_key_is_recognised_as_valid_but_restricted()
    {
        await fake.PostAsync("__fake/resend/keys", new { key = "re_test_sendingonly0001", sendingOnly = true });

        var check = await Client(new Secret("re_test_sendingonly0001")).CheckKeyAsync(CancellationToken.None);

        Assert.False(check.FullAccess);
        Assert.Empty(check.Domains);
    }

    [Fact]
    public async Task An_invalid_key_is_an_authentication_failure_with_the_key_masked()
    {
        var key = new Secret("re_test_invalidkey_4321");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(key).CheckKeyAsync(CancellationToken.None));

        Assert.Equal("ResendKeyInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains("403 invalid_api_key", ex.Message);
        Assert.Contains("****4321", ex.Message);
        Assert.DoesNotContain(key.Reveal(), ex.Message);
    }

    [Fact]
    public async Task Every_request_names_the_client_in_user_agent()
    {
        await Client().CheckKeyAsync(CancellationToken.None);

        var requests = await fake.GetAsync("__fake/resend/requests");
        Assert.All(requests.EnumerateArray(), r => Assert.StartsWith("HotmessRecovery/", r.GetProperty("userAgent").GetString()));
    }

    [Fact]
    public async Task Sending_twice_with_one_idempotency_key_sends_one_email()
    {
        var client = Client();

        var first = await client.SendEmailAsync(Alert, "incident-42", CancellationToken.None);
        var second = await client.SendEmailAsync(Alert, "incident-42", CancellationToken.None);

        Assert.Equal(first, second);
        var sent = await fake.GetAsync("__fake/resend/emails");
        Assert.Equal(1, sent.GetArrayLength());
        Assert.Equal("Credential recovery finished", sent[0].GetProperty("subject").GetString());
        Assert.Equal("incident-42", sent[0].GetProperty("idempotencyKey").GetString());
    }

    [Fact]
    public async Task Reusing_an_idempotency_key_for_another_email_is_a_conflict()
    {
        var client = Client();
        await client.SendEmailAsync(Alert, "incident-43", CancellationToken.None);

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            client.SendEmailAsync(Alert with { Subject = "Something else" }, "incident-43", CancellationToken.None));

        Assert.Equal("ResendIdempotencyConflict", ex.ErrorId);
        Assert.Contains("invalid_idempotent_request", ex.Message);
    }

    [Fact]
    public async Task Sending_from_an_unverified_domain_is_an_invalid_request()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            Client().SendEmailAsync(Alert with { From = "alerts@unverified.example" }, "incident-44", CancellationToken.None));

        Assert.Equal("ResendRequestInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Contains("unverified.example", ex.Message);
    }

    [Fact]
    public async Task A_short_rate_limit_is_waited_out_with_a_warning()
    {
        await fake.PostAsync("__fake/resend/rate-limit", new { count = 1, retryAfterSeconds = 0 });
        var log = new CollectingLog();

        var id = await Client(log: log).SendEmailAsync(Alert, "incident-45", CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(id));
        Assert.Contains(log.Warnings, w => w.Contains("rate limited", StringComparison.Ordinal));
        Assert.Equal(2, (await fake.RequestsAsync("resend")).Count);
    }

    [Fact]
    public async Task A_rate_limit_that_lasts_is_reported_after_the_bounded_retries()
    {
        await fake.PostAsync("__fake/resend/rate-limit", new { count = 10, retryAfterSeconds = 0 });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(attempts: 3).CheckKeyAsync(CancellationToken.None));

        Assert.Equal("ResendRateLimited", ex.ErrorId);
        Assert.Equal(FailureKind.RateLimited, ex.Kind);
        Assert.Equal(3, (await fake.RequestsAsync("resend")).Count);
    }

    [Fact]
    public async Task A_spent_daily_quota_is_not_retried()
    {
        await fake.PostAsync("__fake/resend/rate-limit", new { count = 10, retryAfterSeconds = 0, name = "daily_quota_exceeded" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().SendEmailAsync(Alert, "incident-46", CancellationToken.None));

        Assert.Equal("ResendRateLimited", ex.ErrorId);
        Assert.Contains("daily_quota_exceeded", ex.Message);
        Assert.Single(await fake.RequestsAsync("resend"));
    }

    [Fact]
    public async Task An_injected_server_error_keeps_resends_error_shape()
    {
        await fake.PostAsync("__fake/faults", new { serverErrorRate = 1.0, pathPrefix = "/resend" });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().CheckKeyAsync(CancellationToken.None));

        Assert.Equal("ResendServiceFailed", ex.ErrorId);
        Assert.Equal(FailureKind.RemoteServiceFailed, ex.Kind);
        Assert.Contains("internal_server_error", ex.Message);
    }

    [Fact]
    public async Task A_503_on_a_listing_is_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Answer(HttpStatusCode.ServiceUnavailable, body: """{"statusCode":503,"name":"internal_server_error","message":"busy"}"""));
        using var http = sent.Client();

        var check = await Client(http: http).CheckKeyAsync(CancellationToken.None);

        Assert.True(check.FullAccess);
        Assert.Equal(2, sent.Requests.Count);
    }

    [Fact]
    public async Task An_email_whose_send_broke_off_is_sent_again_with_its_idempotency_key_and_delivered_once()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Answer(HttpStatusCode.BadGateway, body: "bad gateway"));
        var keys = new List<string>();
        sent.OnSend = request => keys.Add(string.Join(",", request.Headers.GetValues("Idempotency-Key")));
        using var http = sent.Client();

        var id = await Client(http: http).SendEmailAsync(Alert, "incident-47", CancellationToken.None);

        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(["incident-47", "incident-47"], keys);
        Assert.Equal(1, (await fake.GetAsync("__fake/resend/emails")).GetArrayLength());
    }

    [Fact]
    public async Task A_batch_outside_one_to_one_hundred_emails_is_refused_before_anything_is_sent()
    {
        var emails = Enumerable.Range(0, 101).Select(i => Alert with { To = [$"user{i}@hotmess.example"] }).ToList();

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().SendBatchAsync(emails, "batch-key-1", CancellationToken.None));

        Assert.Equal("ResendBatchSizeInvalid", ex.ErrorId);
        Assert.Empty(await fake.RequestsAsync("resend"));
    }

    [Fact]
    public async Task A_batch_is_answered_with_one_id_per_email_in_order()
    {
        var emails = Enumerable.Range(0, 3).Select(i => Alert with { To = [$"user{i}@hotmess.example"] }).ToList();

        var ids = await Client().SendBatchAsync(emails, "batch-key-2", CancellationToken.None);

        var sent = (await fake.GetAsync("__fake/resend/emails")).EnumerateArray().ToList();
        Assert.Equal(sent.Select(e => e.GetProperty("id").GetString()), ids);
        Assert.Equal(["user0@hotmess.example", "user1@hotmess.example", "user2@hotmess.example"], sent.Select(e => e.GetProperty("to")[0].GetString()));
    }
}
