using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class GitDeploymentTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private static readonly GitDeploymentOptions Quick = new() { Timeout = TimeSpan.FromSeconds(20), ServingTimeout = TimeSpan.FromSeconds(10) };

    public async Task InitializeAsync()
    {
        await fake.ResetVercelAsync();
        await fake.SeedDeploymentsAsync(new { uid = "dpl_current", target = "production" }, new { uid = "dpl_old", target = "production" });
    }

    public async Task DisposeAsync() => await fake.ClearFaultsAsync();

    [Fact]
    public async Task A_production_deployment_is_built_from_the_linked_repository_and_serves_the_site()
    {
        var log = new CollectingLog();
        using var client = fake.Client(log);
        using var site = new SiteHealthClient(fake.BaseUrl);
        var deployment = new GitDeployment(client, site, log);

        var plan = await deployment.PlanAsync("main", production: true, default);
        var result = await deployment.ExecuteAsync(plan, Quick, default);

        Assert.Equal("READY", result.State);
        Assert.Equal("production", result.Target);
        Assert.Equal("main", result.GitRef);
        Assert.Equal("hotmess-london/hotmess", result.Repository);
        Assert.True(result.ServingProduction);
        Assert.False(result.Promoted);
        Assert.True(result.Healthy);
        Assert.Equal(result.Id, await fake.CurrentProductionAsync());
        Assert.True(result.Duration > TimeSpan.Zero);
        var created = (await fake.StateAsync()).GetProperty("deployments").EnumerateArray().First(d => d.GetProperty("uid").GetString() == result.Id);
        Assert.Equal("git", created.GetProperty("source").GetString());
        Assert.Equal("main", created.GetProperty("meta").GetProperty("githubCommitRef").GetString());
    }

    [Fact]
    public async Task The_request_carries_a_github_gitSource_by_repository_id_and_the_production_target()
    {
        using var client = fake.Client();
        var deployment = new GitDeployment(client, null, new CollectingLog());
        var plan = await deployment.PlanAsync("develop", production: true, default);
        await fake.ClearRequestsAsync();

        await deployment.ExecuteAsync(plan, Quick with { SkipHealthCheck = true }, default);

        var source = plan.Link.ToGitSource("develop");
        Assert.Equal("github", source["type"]);
        Assert.Equal(734512L, source["repoId"]);
        Assert.Equal("develop", source["ref"]);
        Assert.Single(await fake.RequestsAsync(), r => r.StartsWith("POST /v13/deployments", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_a_ref_the_projects_production_branch_is_built()
    {
        await fake.PostAsync("/__fake/vercel/reset", new { stepMs = 150, link = new { type = "github", org = "hotmess-london", repo = "hotmess", productionBranch = "release", refs = new[] { "release" } } });
        using var client = fake.Client();
        var deployment = new GitDeployment(client, null, new CollectingLog());

        var plan = await deployment.PlanAsync(null, production: false, default);
        var result = await deployment.ExecuteAsync(plan, Quick, default);

        Assert.Equal("release", plan.GitRef);
        Assert.Contains("org", plan.Link.ToGitSource("release").Keys);
        Assert.DoesNotContain("repoId", plan.Link.ToGitSource("release").Keys);
        Assert.Null(result.Target);
        Assert.False(result.ServingProduction);
        Assert.Null(result.Healthy);
        Assert.Null(await fake.CurrentProductionAsync());
    }

    [Theory]
    [InlineData("gitlab", "projectId")]
    [InlineData("bitbucket", "repoUuid")]
    public async Task Gitlab_and_bitbucket_repositories_are_named_as_their_provider_wants(string type, string key)
    {
        await fake.PostAsync("/__fake/vercel/reset", new
        {
            stepMs = 150,
            link = new { type, org = "hotmess", repo = "site", projectId = "4321", workspaceUuid = "{ws-1}", repoUuid = "{repo-1}" },
        });
        using var client = fake.Client();
        var deployment = new GitDeployment(client, null, new CollectingLog());

        var plan = await deployment.PlanAsync("main", production: false, default);
        var result = await deployment.ExecuteAsync(plan, Quick, default);

        Assert.Contains(key, plan.Link.ToGitSource("main").Keys);
        Assert.Equal("READY", result.State);
    }

    [Fact]
    public async Task A_build_that_ends_in_error_fails_with_the_builds_error_message()
    {
        await fake.PostAsync("/__fake/vercel/builds/fail", new { count = 1 });
        using var client = fake.Client();
        var deployment = new GitDeployment(client, null, new CollectingLog());
        var plan = await deployment.PlanAsync("main", production: true, default);

        var error = await Assert.ThrowsAsync<HotmessException>(() => deployment.ExecuteAsync(plan, Quick, default));

        Assert.Equal("VercelDeploymentFailed", error.ErrorId);
        Assert.Equal(FailureKind.RemoteServiceFailed, error.Kind);
        Assert.Contains("ERROR: BUILD_FAILED Command \"npm run build\" exited with 1", error.Message);
        Assert.Equal("dpl_current", await fake.CurrentProductionAsync());
    }

    [Fact]
    public async Task A_project_without_a_connected_repository_is_refused_before_anything_is_created()
    {
        await fake.PostAsync("/__fake/vercel/reset", new { stepMs = 150, link = (object?)null });
        using var client = fake.Client();
        await fake.ClearRequestsAsync();

        var error = await Assert.ThrowsAsync<HotmessException>(() => new GitDeployment(client, null, new CollectingLog()).PlanAsync("main", true, default));

        Assert.Equal("VercelProjectNotLinked", error.ErrorId);
        Assert.DoesNotContain(await fake.RequestsAsync(), r => r.StartsWith("POST", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_ref_the_repository_lacks_is_rejected_with_vercels_message()
    {
        using var client = fake.Client();
        var deployment = new GitDeployment(client, null, new CollectingLog());
        var plan = await deployment.PlanAsync("no-such-branch", production: true, default);

        var error = await Assert.ThrowsAsync<HotmessException>(() => deployment.ExecuteAsync(plan, Quick, default));

        Assert.Equal("VercelRequestRejected", error.ErrorId);
        Assert.Contains("no-such-branch", error.Message);
    }

    [Fact]
    public async Task After_a_rollback_pinned_production_the_new_build_is_promoted_so_it_serves()
    {
        var log = new CollectingLog();
        using var client = fake.Client(log);
        await client.RequestRollbackAsync("dpl_old");
        await client.WaitForAliasRequestAsync("dpl_old", DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromSeconds(20));
        var deployment = new GitDeployment(client, null, log);

        var result = await deployment.ExecuteAsync(await deployment.PlanAsync("main", true, default), Quick with { SkipHealthCheck = true }, default);

        Assert.True(result.Promoted);
        Assert.True(result.ServingProduction);
        Assert.Equal(result.Id, await fake.CurrentProductionAsync());
    }

    [Fact]
    public async Task An_unhealthy_site_after_the_deployment_is_reported_not_raised()
    {
        await fake.PostAsync("/__fake/vercel/site", new { healthy = false });
        var log = new CollectingLog();
        using var client = fake.Client(log);
        using var site = new SiteHealthClient(fake.BaseUrl) { MaxPollInterval = TimeSpan.FromMilliseconds(200) };
        var deployment = new GitDeployment(client, site, log);

        var result = await deployment.ExecuteAsync(await deployment.PlanAsync("main", true, default),
            Quick with { ServingTimeout = TimeSpan.FromSeconds(1) }, default);

        Assert.False(result.Healthy);
        Assert.Contains("503", result.HealthDetail);
        Assert.Contains(log.Warnings, w => w.Contains("unhealthy", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rate_limited_create_is_tried_again_and_makes_one_deployment()
    {
        using var client = fake.Client();
        var deployment = new GitDeployment(client, null, new CollectingLog());
        var plan = await deployment.PlanAsync("main", production: true, default);
        var before = (await fake.StateAsync()).GetProperty("deployments").GetArrayLength();
        await fake.PostAsync("/__fake/vercel/rate-limit", new { count = 1, retryAfterSeconds = 1 });

        var result = await deployment.ExecuteAsync(plan, Quick with { SkipHealthCheck = true }, default);

        Assert.Equal("READY", result.State);
        Assert.Equal(before + 1, (await fake.StateAsync()).GetProperty("deployments").GetArrayLength());
    }

    [Fact]
    public async Task A_server_error_on_create_is_not_retried_since_vercel_may_have_started_the_build()
    {
        using var client = fake.Client();
        var deployment = new GitDeployment(client, null, new CollectingLog());
        var plan = await deployment.PlanAsync("main", production: true, default);
        await fake.SetFaultsAsync(new { serverErrorRate = 1.0, pathPrefix = "/v13/deployments" });

        var error = await Assert.ThrowsAsync<HotmessException>(() => deployment.ExecuteAsync(plan, Quick, default));

        Assert.Equal("VercelServiceFailed", error.ErrorId);
        var injected = await fake.FaultCountsAsync();
        Assert.Equal(1, injected.EnumerateObject().Sum(p => p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetInt32() : 0));
    }
}
