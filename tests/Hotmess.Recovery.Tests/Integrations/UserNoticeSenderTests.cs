using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Resend;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Platform;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Integrations;

public sealed class UserNoticeSenderTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private const string Incident = "20261201T030000Z-platform-recovery";
    private readonly CollectingLog _log = new();

    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private static IReadOnlyList<string> Users(int count) =>
        Enumerable.Range(1, count).Select(i => $"user{i}@hotmess.example").ToList();

    private Task<UserNoticeResult> SendAsync(IReadOnlyList<string> recipients, int batchSize = 10, string text = "HOTMESS is back.", string incident = Incident)
    {
        var resend = new ResendClient(fake.Http, fake.Url("resend/"), PlatformFakes.ResendKey, _log,
            new HttpResilienceOptions { MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(10) });
        return new UserNoticeSender(resend, TimeProvider.System, _log).SendAsync(new UserNoticeRequest
        {
            IncidentId = incident,
            From = "HOTMESS <hello@hotmess.london>",
            ReplyTo = "support@hotmess.london",
            Subject = "HOTMESS service restored",
            Text = text,
            Recipients = recipients,
            BatchSize = batchSize,
        }, CancellationToken.None);
    }

    private async Task<List<JsonElement>> EmailsAsync() => (await fake.GetAsync("__fake/resend/emails")).EnumerateArray().ToList();

    private async Task<List<string>> SentToAsync() => (await EmailsAsync()).Select(e => e.GetProperty("to")[0].GetString()!).ToList();

    private async Task<List<string>> BatchKeysAsync() =>
        (await fake.GetAsync("__fake/resend/requests")).EnumerateArray()
        .Where(r => r.GetProperty("path").GetString() == "/resend/emails/batch")
        .Select(r => r.GetProperty("idempotencyKey").GetString()!).ToList();

    private Task FailBatchesAsync(int after, int count, string fault) =>
        fake.PostAsync("__fake/resend/batch-faults", new { after, count, fault });

    [Fact]
    public async Task Recipients_go_in_batches_of_the_batch_size_one_email_each_keyed_by_incident_and_batch_number()
    {
        var result = await SendAsync(Users(25));

        Assert.Equal(new UserNoticeResult { IncidentId = Incident, Recipients = 25, Sent = 25, Batches = 3, Duration = result.Duration }, result);
        Assert.Equal(Users(25).Order(), (await SentToAsync()).Order());
        Assert.All(await EmailsAsync(), e =>
        {
            Assert.Equal(1, e.GetProperty("to").GetArrayLength());
            Assert.Equal("HOTMESS service restored", e.GetProperty("subject").GetString());
            Assert.Equal("support@hotmess.london", e.GetProperty("replyTo")[0].GetString());
            Assert.Equal("user-notice", e.GetProperty("tags").GetProperty("purpose").GetString());
        });
        Assert.Equal([$"hotmess-user-notice/{Incident}/1", $"hotmess-user-notice/{Incident}/2", $"hotmess-user-notice/{Incident}/3"], await BatchKeysAsync());
    }

    [Fact]
    public async Task Resend_takes_at_most_one_hundred_emails_per_batch()
    {
        var result = await SendAsync(Users(201), batchSize: ResendClient.BatchLimit);

        Assert.Equal(3, result.Batches);
        Assert.Equal(201, (await SentToAsync()).Distinct().Count());
    }

    [Fact]
    public async Task A_rerun_after_a_failed_batch_sends_the_rest_and_nobody_twice()
    {
        await FailBatchesAsync(after: 1, count: 100, fault: "500");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => SendAsync(Users(25)));

        Assert.Equal("UserNoticeBatchFailed", ex.ErrorId);
        Assert.Equal(FailureKind.RemoteServiceFailed, ex.Kind);
        Assert.Contains("Batch 2 of 3", ex.Message);
        Assert.Contains("Batches 1 to 1 (10 recipients) were sent", ex.Message);
        Assert.Contains(Incident, ex.Message);
        Assert.Equal(10, (await SentToAsync()).Count);

        await FailBatchesAsync(after: 0, count: 0, fault: "500");
        var result = await SendAsync(Users(25));

        Assert.Equal(25, result.Sent);
        var sent = await SentToAsync();
        Assert.Equal(25, sent.Count);
        Assert.Equal(Users(25).Order(), sent.Order());
    }

    [Fact]
    public async Task A_batch_whose_answer_is_cut_off_is_retried_with_its_key_and_sent_once()
    {
        await FailBatchesAsync(after: 1, count: 1, fault: "cut");

        var result = await SendAsync(Users(25));

        Assert.Equal(25, result.Sent);
        Assert.Equal(25, (await SentToAsync()).Count);
        var keys = await BatchKeysAsync();
        Assert.Equal(2, keys.Count(k => k == $"hotmess-user-notice/{Incident}/2"));
    }

    [Fact]
    public async Task A_rate_limited_batch_waits_for_retry_after_and_goes_through()
    {
        await FailBatchesAsync(after: 0, count: 1, fault: "429");

        var result = await SendAsync(Users(5));

        Assert.Equal(5, result.Sent);
        Assert.Equal(5, (await SentToAsync()).Count);
        Assert.Equal(2, (await BatchKeysAsync()).Count);
    }

    [Fact]
    public async Task A_rerun_with_other_content_is_refused_by_resend_and_sends_nothing()
    {
        await SendAsync(Users(5));

        var ex = await Assert.ThrowsAsync<HotmessException>(() => SendAsync(Users(5), text: "Another notice."));

        Assert.Equal("UserNoticeChanged", ex.ErrorId);
        Assert.Contains("another incident id", ex.Message);
        Assert.Equal(5, (await SentToAsync()).Count);
    }

    [Fact]
    public async Task No_address_appears_in_the_log_or_in_an_error()
    {
        await FailBatchesAsync(after: 1, count: 100, fault: "500");
        var ex = await Assert.ThrowsAsync<HotmessException>(() => SendAsync(Users(15)));

        var said = _log.Verbose.Concat(_log.Warnings).Concat(_log.Progress.SelectMany(p => new[] { p.Activity, p.Status, p.CurrentOperation ?? "" }))
            .Append(ex.Message).Append(ex.ToString()).ToList();
        Assert.NotEmpty(_log.Verbose);
        Assert.DoesNotContain(said, line => line.Contains("@hotmess.example", StringComparison.Ordinal));
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void An_address_in_resend_s_words_is_masked()
    {
        Assert.Equal("Invalid `to` field: <address> is not valid, nor <address>",
            UserNoticeSender.Mask("Invalid `to` field: someone@example.com is not valid, nor Zoë.x+1@hotmess.example"));
    }

    [Fact]
    public async Task No_recipients_is_nothing_to_send()
    {
        var result = await SendAsync([]);

        Assert.Equal(0, result.Batches);
        Assert.Equal(0, result.Sent);
        Assert.Empty(await BatchKeysAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task A_batch_size_outside_resend_s_limit_is_refused(int size)
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => SendAsync(Users(3), batchSize: size));

        Assert.Equal("UserNoticeBatchSizeInvalid", ex.ErrorId);
        Assert.Empty(await BatchKeysAsync());
    }

    [Fact]
    public async Task An_incident_id_too_long_for_resend_s_keys_is_refused()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => SendAsync(Users(3), incident: new string('x', UserNoticeSender.MaxIncidentIdLength + 1)));

        Assert.Equal("UserNoticeIncidentInvalid", ex.ErrorId);
        Assert.True(UserNoticeSender.IdempotencyKey(new string('x', UserNoticeSender.MaxIncidentIdLength), int.MaxValue).Length <= 256);
        Assert.Empty(await BatchKeysAsync());
    }
}
