using System.Net;
using System.Net.Http.Headers;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Platform.Http;

public sealed class HttpResilienceTests(FakeServer fake) : IClassFixture<FakeServer>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_Retry_After_date_is_waited_until_on_the_clock()
    {
        var clock = new FakeTimeProvider(Now);
        var sent = new ScriptedHandler(clock, request =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
            response.Headers.RetryAfter = new RetryConditionHeaderValue(Now.AddSeconds(4));
            return response;
        });
        using var http = sent.Client();
        var pipeline = new HttpResilience("The fake", new HttpResilienceOptions { Time = clock });

        using var response = await clock.RunAsync(() =>
            pipeline.SendAsync(http, () => new HttpRequestMessage(HttpMethod.Get, fake.Url("statuspage/vercel/api/v2/status.json")),
                RetryRule.Idempotent, "read", CancellationToken.None));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, sent.SentAt.Count);
        Assert.InRange(sent.SentAt[1], Now.AddSeconds(4), Now.AddSeconds(6));
    }

    [Theory]
    [InlineData("X-RateLimit-Reset", "1796126405", 5)] // Vercel: a unix time, 5 s after Now
    [InlineData("X-RateLimit-Reset", "37", 37)] // Supabase Management: seconds left of the window
    [InlineData("ratelimit-reset", "2", 2)] // Resend: seconds
    public void A_reset_header_is_read_as_a_unix_time_or_as_seconds_left(string header, string value, int seconds)
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.TryAddWithoutValidation(header, value);

        Assert.Equal(TimeSpan.FromSeconds(seconds), HttpResilience.RetryAfter(response, new FakeTimeProvider(Now)));
    }

    [Fact]
    public void Retry_After_wins_over_the_reset_headers()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        response.Headers.TryAddWithoutValidation("X-RateLimit-Reset", "40");

        Assert.Equal(TimeSpan.FromSeconds(7), HttpResilience.RetryAfter(response, new FakeTimeProvider(Now)));
    }
}
