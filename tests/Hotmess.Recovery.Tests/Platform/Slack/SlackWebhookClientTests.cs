using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Slack;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Slack;

public sealed class SlackWebhookClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private const string Token = "hotmessfakewebhooktoken";

    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private SlackWebhookClient Client(Uri? url = null, CollectingLog? log = null) =>
        new(fake.Http, new Secret((url ?? fake.SlackWebhook()).ToString()), log ?? new CollectingLog());

    [Fact]
    public async Task A_message_is_posted_and_slack_answers_ok()
    {
        await Client().SendAsync(new SlackMessage("Rollback finished: production is healthy.") { IconEmoji = ":white_check_mark:" }, CancellationToken.None);

        var messages = await fake.GetAsync("__fake/slack/messages");
        Assert.Equal("Rollback finished: production is healthy.", Assert.Single(messages.EnumerateArray()).GetProperty("text").GetString());
    }

    [Theory]
    [InlineData("revoked", "SlackWebhookGone", FailureKind.NotFound)]
    [InlineData("archived", "SlackWebhookGone", FailureKind.NotFound)]
    [InlineData("prohibited", "SlackWebhookForbidden", FailureKind.PermissionDenied)]
    [InlineData("rollup_error", "SlackServiceFailed", FailureKind.RemoteServiceFailed)]
    public async Task Slacks_plain_text_errors_become_categorised_failures_that_never_show_the_token(string state, string errorId, FailureKind kind)
    {
        await fake.PostAsync("__fake/slack/webhooks", new { path = "/services/T0HOTMESS/B0ALERTS/" + Token, state });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().SendAsync(new SlackMessage("hello"), CancellationToken.None));

        Assert.Equal(errorId, ex.ErrorId);
        Assert.Equal(kind, ex.Kind);
        Assert.DoesNotContain(Token, ex.Message);
        Assert.EndsWith("/services/T0HOTMESS/B0ALERTS/****", (string)ex.Target!);
    }

    [Fact]
    public async Task An_unknown_webhook_is_gone()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            Client(fake.Url("slack/services/T0HOTMESS/B0ALERTS/revokedtoken")).SendAsync(new SlackMessage("hello"), CancellationToken.None));

        Assert.Equal("SlackWebhookGone", ex.ErrorId);
        Assert.Contains("no_service", ex.Message);
    }

    [Fact]
    public async Task A_short_rate_limit_is_waited_out()
    {
        await fake.PostAsync("__fake/slack/rate-limit", new { count = 1, retryAfterSeconds = 0 });
        var log = new CollectingLog();

        await Client(log: log).SendAsync(new SlackMessage("after a wait"), CancellationToken.None);

        Assert.Single(log.Warnings);
        Assert.Equal(1, (await fake.GetAsync("__fake/slack/messages")).GetArrayLength());
    }

    [Fact]
    public async Task A_lasting_rate_limit_is_reported()
    {
        await fake.PostAsync("__fake/slack/rate-limit", new { count = 10, retryAfterSeconds = 0 });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().SendAsync(new SlackMessage("never"), CancellationToken.None));

        Assert.Equal("SlackRateLimited", ex.ErrorId);
        Assert.Equal(FailureKind.RateLimited, ex.Kind);
    }

    [Fact]
    public async Task An_empty_message_is_refused_before_posting()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().SendAsync(new SlackMessage(" "), CancellationToken.None));

        Assert.Equal("SlackMessageEmpty", ex.ErrorId);
        Assert.Equal(0, (await fake.GetAsync("__fake/slack/messages")).GetArrayLength());
    }

    [Theory]
    [InlineData("https://hooks.slack.com/services/T000/B000/XXXXSECRET", "https://hooks.slack.com/services/T000/B000/****")]
    [InlineData("https://hooks.slack.com", "****")]
    public void The_webhook_url_is_shown_without_its_token(string url, string masked) =>
        Assert.Equal(masked, SlackWebhookClient.MaskedUrl(url));

    [Fact]
    public async Task A_refused_connection_before_the_message_left_is_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Refused);
        using var http = sent.Client();

        await new SlackWebhookClient(http, new Secret(fake.SlackWebhook().ToString())).SendAsync(new SlackMessage("after a refused connection"), CancellationToken.None);

        Assert.Equal(2, sent.Requests.Count);
        Assert.Equal(1, (await fake.GetAsync("__fake/slack/messages")).GetArrayLength());
    }

    [Fact]
    public async Task A_server_error_is_not_retried_since_slack_may_have_posted_the_message()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Answer(System.Net.HttpStatusCode.ServiceUnavailable, body: "rollup_error"));
        using var http = sent.Client();

        var ex = await Assert.ThrowsAsync<HotmessException>(() =>
            new SlackWebhookClient(http, new Secret(fake.SlackWebhook().ToString())).SendAsync(new SlackMessage("maybe posted"), CancellationToken.None));

        Assert.Equal("SlackServiceFailed", ex.ErrorId);
        Assert.Single(sent.Requests);
    }
}
