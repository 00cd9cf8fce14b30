using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Platform.Http;
using Hotmess.Recovery.Platform.UserFlows;
using Hotmess.Recovery.Tests.Fakes;

namespace Hotmess.Recovery.Tests.Platform.UserFlows;

/// <summary>The critical user flows against the Site fake, faults included.</summary>
public sealed class UserFlowTesterTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private static readonly HttpResilienceOptions Quick = new() { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(10), AttemptTimeout = TimeSpan.FromSeconds(5) };

    public async Task InitializeAsync()
    {
        using var reset = await fake.Control.DeleteAsync("__fake/site/pages");
        reset.EnsureSuccessStatusCode();
        using var health = await fake.Control.DeleteAsync("__fake/site/health");
        health.EnsureSuccessStatusCode();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private Uri Site => fake.Url("site");

    [Fact]
    public async Task The_hotmess_default_flows_pass_against_a_working_site()
    {
        using var tester = new UserFlowTester(Site, Quick);

        var results = new List<UserFlowResult>();
        foreach (var flow in UserFlowDefaults.From([]))
        {
            results.Add(await tester.CheckAsync(flow, default));
        }

        Assert.Equal(["Home page", "Health", "Login page", "Marketplace"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.True(r.Passed, $"{r.Name}: {r.Reason}"));
        Assert.All(results, r => Assert.Equal(200, r.StatusCode));
        Assert.Equal(fake.Url("site/marketplace").ToString(), results[3].Url);
        Assert.Equal(fake.Url("site/api/health").ToString(), results[1].Url);
    }

    [Fact]
    public async Task A_500_fails_the_flow_with_the_status_after_one_retry()
    {
        await fake.PostAsync("__fake/site/pages", new { path = "/marketplace", status = 500, body = "boom" });
        using var tester = new UserFlowTester(Site, Quick);

        var result = await tester.CheckAsync(Flow("Marketplace", "/marketplace"), default);

        Assert.False(result.Passed);
        Assert.Equal(500, result.StatusCode);
        Assert.Equal("expected 200, got 500 Internal Server Error", result.Reason);
        Assert.Equal(2, (await fake.GetAsync("__fake/site/pages")).GetProperty("seen").GetProperty("/marketplace").GetProperty("requests").GetInt32());
    }

    [Fact]
    public async Task A_page_without_the_expected_text_fails_naming_the_text()
    {
        await fake.PostAsync("__fake/site/pages", new { path = "/", status = 200, body = "<html>Down for maintenance</html>" });
        using var tester = new UserFlowTester(Site, Quick);

        var result = await tester.CheckAsync(UserFlowDefaults.Hotmess[0], default);

        Assert.False(result.Passed);
        Assert.Equal(200, result.StatusCode);
        Assert.StartsWith("the response does not contain 'HOTMESS'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_page_that_does_not_answer_in_time_fails_without_a_status()
    {
        await fake.PostAsync("__fake/site/pages", new { path = "/login", delayMs = 5000 });
        using var tester = new UserFlowTester(Site, Quick with { MaxAttempts = 1, AttemptTimeout = TimeSpan.FromMilliseconds(300) });

        var result = await tester.CheckAsync(Flow("Login page", "/login"), default);

        Assert.False(result.Passed);
        Assert.Null(result.StatusCode);
        Assert.StartsWith("no answer", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_flow_sends_its_method_and_headers_and_expects_its_status()
    {
        await fake.PostAsync("__fake/site/pages", new { path = "/api/orders/check", status = 201, body = "{\"created\":true}" });
        var flows = UserFlowDefaults.From([new UserFlowSettings
        {
            Name = "Order check", Method = "post", Path = "/api/orders/check", Status = 201, Contains = "created",
            Headers = new() { ["X-Recovery-Check"] = "yes" },
        }]);
        using var tester = new UserFlowTester(Site, Quick);

        var result = await tester.CheckAsync(Assert.Single(flows), default);

        Assert.True(result.Passed, result.Reason);
        Assert.Equal("POST", result.Method);
        var seen = (await fake.GetAsync("__fake/site/pages")).GetProperty("seen").GetProperty("/api/orders/check");
        Assert.Equal("POST", seen.GetProperty("method").GetString());
        Assert.Equal("yes", seen.GetProperty("headers").GetProperty("X-Recovery-Check").GetString());
    }

    [Fact]
    public async Task A_status_other_than_the_expected_one_fails_even_when_it_is_a_success()
    {
        using var tester = new UserFlowTester(Site, Quick);

        var result = await tester.CheckAsync(Flow("Missing page", "/no-such-page") with { ExpectedStatus = 200 }, default);
        var expected404 = await tester.CheckAsync(Flow("Missing page", "/no-such-page") with { ExpectedStatus = 404 }, default);

        Assert.Equal("expected 200, got 404 Not Found", result.Reason);
        Assert.True(expected404.Passed);
    }

    [Theory]
    [InlineData(null, "/x", null, "needs a name")]
    [InlineData("No slash", "x", null, "starting with '/'")]
    [InlineData("Odd method", "/x", "FETCH", "the method 'FETCH'")]
    public void A_configured_flow_without_what_a_request_needs_is_refused_naming_it(string? name, string path, string? method, string expected)
    {
        var ex = Assert.Throws<HotmessException>(() => UserFlowDefaults.From([new UserFlowSettings { Name = name, Path = path, Method = method }]));

        Assert.Equal("UserFlowInvalid", ex.ErrorId);
        Assert.Contains("userFlows[0]", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_configured_flows_of_one_name_are_refused()
    {
        var ex = Assert.Throws<HotmessException>(() => UserFlowDefaults.From([
            new UserFlowSettings { Name = "Home", Path = "/" }, new UserFlowSettings { Name = "home", Path = "/index" }]));

        Assert.Equal("UserFlowInvalid", ex.ErrorId);
    }

    [Fact]
    public void The_userFlows_section_is_read_from_hotmess_json()
    {
        var configuration = Json.Deserialize<HotmessConfiguration>("""
            { "userFlows": [ { "name": "Checkout", "path": "/checkout", "status": 302, "contains": "stripe", "headers": { "Accept": "text/html" } } ] }
            """);

        var flow = Assert.Single(UserFlowDefaults.From(configuration.UserFlows));

        Assert.Equal(new UserFlow("Checkout", "GET", "/checkout", 302, "stripe", flow.Headers), flow);
        Assert.Equal("text/html", flow.Headers["Accept"]);
    }

    private static UserFlow Flow(string name, string path) => new(name, "GET", path, 200, null, new Dictionary<string, string>());
}
