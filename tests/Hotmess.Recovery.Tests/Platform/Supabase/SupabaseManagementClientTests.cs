using System.Net;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Platform.Supabase;

public sealed class SupabaseManagementClientTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public Task InitializeAsync() => fake.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    private SupabaseManagementClient Client(Secret? token = null, string projectRef = PlatformFakes.ProjectRef, CollectingLog? log = null,
        HttpResilienceOptions? resilience = null, HttpClient? http = null) =>
        new(http ?? fake.Http, fake.Url("supabase-management"), token ?? PlatformFakes.ManagementToken, projectRef, log ?? new CollectingLog(),
            resilience ?? new HttpResilienceOptions { MaxRetryAfter = TimeSpan.FromSeconds(5), BaseDelay = TimeSpan.FromMilliseconds(10) });

    [Fact]
    public async Task The_project_reports_its_status_and_database()
    {
        var project = await Client().GetProjectAsync(CancellationToken.None);

        Assert.Equal(PlatformFakes.ProjectRef, project.Ref);
        Assert.Equal("ACTIVE_HEALTHY", project.Status);
        Assert.True(project.IsHealthy);
        Assert.Equal("15", project.Database!.PostgresEngine);
    }

    [Fact]
    public async Task Health_asks_for_each_service_and_reports_the_unhealthy_one()
    {
        await fake.PostAsync("__fake/supabase-management/health", new { services = new { storage = new { status = "UNHEALTHY", error = "timeout" } } });

        var health = await Client().GetHealthAsync(["db", "storage"], TimeSpan.FromSeconds(2), CancellationToken.None);

        Assert.Equal(["db", "storage"], health.Select(h => h.Name));
        Assert.True(health[0].Healthy);
        Assert.Equal("UNHEALTHY", health[1].Status);
        Assert.Equal("timeout", health[1].Error);
        Assert.Contains(await fake.RequestsAsync("supabase-management"), r => r.EndsWith("/health?services=db&services=storage&timeout_ms=2000", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_service_is_refused_before_any_call()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client().GetHealthAsync(["db", "graphql"], null, CancellationToken.None));

        Assert.Equal("SupabaseHealthServiceInvalid", ex.ErrorId);
        Assert.Equal("graphql", ex.Target);
        Assert.Empty(await fake.RequestsAsync("supabase-management"));
    }

    [Fact]
    public async Task Revealed_api_keys_are_held_as_secrets_with_their_roles()
    {
        await fake.PostAsync("__fake/supabase-management/keys", new { add = new[] { new { name = "backend", type = "secret", value = "sb_secret_backendkey123456" } } });

        var keys = await Client().GetApiKeysAsync(reveal: true, CancellationToken.None);

        Assert.Equal(["anon", "service_role", "service_role"], keys.Select(k => k.Role));
        var secret = keys.Single(k => k.Name == "backend");
        Assert.Equal("sb_secret_backendkey123456", secret.ApiKey!.Reveal());
        Assert.Equal("****", secret.ApiKey.ToString());
        Assert.Equal(PlatformFakes.ServiceRoleKey, keys.Single(k => k.Name == "service_role").ApiKey!.Reveal());
    }

    [Fact]
    public async Task A_wrong_token_is_an_authentication_failure_naming_the_variable()
    {
        var token = new Secret("sbp_wrongtoken_0000009999");

        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(token).GetProjectAsync(CancellationToken.None));

        Assert.Equal("SupabaseManagementTokenInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.AuthenticationFailed, ex.Kind);
        Assert.Contains("SUPABASE_ACCESS_TOKEN", ex.Message);
        Assert.DoesNotContain(token.Reveal(), ex.Message);
    }

    [Fact]
    public async Task Another_project_is_not_found()
    {
        var ex = await Assert.ThrowsAsync<HotmessException>(() => Client(projectRef: "abcdefghijklmnopqrst").GetProjectAsync(CancellationToken.None));

        Assert.Equal("SupabaseProjectNotFound", ex.ErrorId);
        Assert.Equal("abcdefghijklmnopqrst", ex.Target);
    }

    [Fact]
    public void A_malformed_project_ref_is_refused_at_once()
    {
        var ex = Assert.Throws<HotmessException>(() => Client(projectRef: "Not-A-Ref"));

        Assert.Equal("SupabaseProjectRefInvalid", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
    }

    [Fact]
    public async Task A_short_rate_limit_is_waited_out_using_x_ratelimit_reset()
    {
        await fake.PostAsync("__fake/supabase-management/rate-limit", new { count = 1, resetSeconds = 0 });
        var log = new CollectingLog();

        var project = await Client(log: log).GetProjectAsync(CancellationToken.None);

        Assert.Equal("hotmess", project.Name);
        Assert.Contains(log.Warnings, w => w.Contains("rate limit", StringComparison.Ordinal));
        Assert.Equal(2, (await fake.RequestsAsync("supabase-management")).Count);
    }

    [Fact]
    public async Task Past_the_per_minute_limit_the_call_fails_with_the_seconds_left()
    {
        await fake.PostAsync("__fake/supabase-management/rate-limit", new { limit = 2 });
        var client = Client(resilience: new HttpResilienceOptions { MaxAttempts = 2, MaxRetryAfter = TimeSpan.FromMilliseconds(100) });
        await client.GetProjectAsync(CancellationToken.None);
        await client.GetProjectAsync(CancellationToken.None);

        var ex = await Assert.ThrowsAsync<HotmessException>(() => client.GetProjectAsync(CancellationToken.None));

        Assert.Equal("SupabaseManagementRateLimited", ex.ErrorId);
        Assert.Equal(FailureKind.RateLimited, ex.Kind);
        Assert.Matches("resets in [0-9]+ s", ex.Message);
    }

    [Fact]
    public async Task A_refused_connection_and_a_503_on_a_read_are_retried()
    {
        var sent = new ScriptedHandler(ScriptedHandler.Refused, ScriptedHandler.Answer(HttpStatusCode.ServiceUnavailable, body: """{"message":"busy"}"""));

        var project = await Client(http: sent.Client()).GetProjectAsync(CancellationToken.None);

        Assert.Equal("hotmess", project.Name);
        Assert.Equal(3, sent.Requests.Count);
    }

    [Fact(Timeout = 60_000)]
    public async Task An_attempt_without_an_answer_times_out_on_the_clock_and_is_retried_then_reported_as_a_timeout()
    {
        var clock = new FakeTimeProvider();
        var silent = new SilentServer();
        using var http = new HttpClient(silent) { Timeout = Timeout.InfiniteTimeSpan };
        var client = Client(http: http, resilience: new HttpResilienceOptions
        {
            MaxAttempts = 3, AttemptTimeout = TimeSpan.FromSeconds(30), TotalTimeout = TimeSpan.FromMinutes(10), Time = clock,
        });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => clock.RunAsync(() => client.GetProjectAsync(CancellationToken.None)));

        Assert.Equal(("SupabaseManagementTimeout", FailureKind.Timeout), (ex.ErrorId, ex.Kind));
        Assert.Contains("no answer within 30 s", ex.Message);
        Assert.Equal(3, silent.Requests);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_call_that_outlasts_its_overall_timeout_ends_with_a_timeout_naming_it()
    {
        var clock = new FakeTimeProvider();
        var silent = new SilentServer();
        using var http = new HttpClient(silent) { Timeout = Timeout.InfiniteTimeSpan };
        var client = Client(http: http, resilience: new HttpResilienceOptions
        {
            MaxAttempts = 10, AttemptTimeout = TimeSpan.FromSeconds(30), TotalTimeout = TimeSpan.FromSeconds(50), Time = clock,
        });

        var ex = await Assert.ThrowsAsync<HotmessException>(() => clock.RunAsync(() => client.GetProjectAsync(CancellationToken.None)));

        Assert.Equal("SupabaseManagementTimeout", ex.ErrorId);
        Assert.Contains("within 50 s, retries included", ex.Message);
        Assert.Equal(2, silent.Requests);
    }

    /// <summary>A server that takes every request and never answers.</summary>
    private sealed class SilentServer : HttpMessageHandler
    {
        private int _requests;

        public int Requests => _requests;

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
