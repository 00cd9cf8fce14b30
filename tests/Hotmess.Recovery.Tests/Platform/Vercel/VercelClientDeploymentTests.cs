using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class VercelClientDeploymentTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public Task InitializeAsync() => fake.ResetVercelAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Lists_every_deployment_across_pages_newest_first()
    {
        await fake.SeedDeploymentsAsync(VercelFakes.ProductionDeployments(45));
        await fake.SeedDeploymentsAsync(new { uid = "dpl_preview", target = "preview", ageMinutes = 0.5 });
        using var client = fake.Client();

        var listed = await ToListAsync(client.GetDeploymentsAsync(new DeploymentFilter { Target = "production", PageSize = 20 }));

        Assert.Equal(Enumerable.Range(0, 45).Select(i => $"dpl_p{i:000}"), listed.Select(d => d.DeploymentId));
        Assert.All(listed, d => Assert.True(d.IsProduction));
        var calls = (await fake.RequestsAsync()).Where(r => r.StartsWith("GET /v6/deployments", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, calls.Count);
        Assert.DoesNotContain("until=", calls[0]);
        Assert.Contains("until=", calls[1]);
        Assert.Contains("until=", calls[2]);
    }

    [Fact]
    public async Task Filters_by_target_and_state()
    {
        await fake.SeedDeploymentsAsync(
            new { uid = "dpl_err", target = "production", state = "ERROR" },
            new { uid = "dpl_ok", target = "production" },
            new { uid = "dpl_pre", target = "preview" },
            new { uid = "dpl_pre_err", target = "preview", state = "ERROR" });
        using var client = fake.Client();

        var failedPreviews = await ToListAsync(client.GetDeploymentsAsync(new DeploymentFilter { Target = "preview", States = ["ERROR"] }));
        var failedAnywhere = await ToListAsync(client.GetDeploymentsAsync(new DeploymentFilter { States = ["ERROR"] }));

        Assert.Equal(["dpl_pre_err"], failedPreviews.Select(d => d.DeploymentId));
        Assert.Null(failedPreviews[0].Target);
        Assert.Equal(["dpl_err", "dpl_pre_err"], failedAnywhere.Select(d => d.DeploymentId));
        Assert.Equal("BUILD_FAILED", failedAnywhere[0].ErrorCode);
    }

    [Fact]
    public async Task Maps_a_deployment_with_its_url_time_and_commit()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_one", target = "production", commitSha = "de8b89f1", commitRef = "main" });
        using var client = fake.Client();

        var deployment = await client.GetDeploymentAsync("dpl_one");

        Assert.Equal("dpl_one", deployment.DeploymentId);
        Assert.Equal("READY", deployment.State);
        Assert.StartsWith("https://", deployment.Url);
        Assert.Equal("de8b89f1", deployment.CommitSha);
        Assert.Equal("main", deployment.CommitRef);
        Assert.Equal("prj_hotmess", deployment.ProjectId);
        Assert.InRange(deployment.CreatedAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-3), DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task An_unknown_deployment_is_not_found_with_its_id_as_target()
    {
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetDeploymentAsync("dpl_missing"));

        Assert.Equal("VercelDeploymentNotFound", error.ErrorId);
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Equal("dpl_missing", error.Target);
        Assert.Contains("not_found", error.Message);
    }

    [Fact]
    public async Task The_current_production_deployment_is_the_newest_ready_one_until_a_rollback_pins_another()
    {
        await fake.SeedDeploymentsAsync(
            new { uid = "dpl_building", target = "production", state = "BUILDING" },
            new { uid = "dpl_new", target = "production" },
            new { uid = "dpl_old", target = "production" });
        using var client = fake.Client();

        Assert.Equal("dpl_new", (await client.GetCurrentProductionDeploymentAsync())!.DeploymentId);

        await client.RequestRollbackAsync("dpl_old");
        var outcome = await client.WaitForAliasRequestAsync("dpl_old", DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromSeconds(20));

        Assert.Equal(AliasRequest.Succeeded, outcome.JobStatus);
        Assert.Equal("dpl_new", outcome.FromDeploymentId);
        Assert.Equal("dpl_old", (await client.GetCurrentProductionDeploymentAsync())!.DeploymentId);
    }

    [Fact]
    public async Task A_rollback_request_is_answered_by_a_status_that_moves_through_pending_and_in_progress()
    {
        await fake.ResetVercelAsync(stepMs: 1000);
        await fake.SeedDeploymentsAsync(new { uid = "dpl_new", target = "production" }, new { uid = "dpl_old", target = "production" });
        var log = new CollectingLog();
        using var client = fake.Client(log);

        await client.RequestRollbackAsync("dpl_old");
        var first = (await client.GetProjectAsync()).LastAliasRequest;
        var outcome = await client.WaitForAliasRequestAsync("dpl_old", DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromSeconds(20));

        Assert.True(first!.IsRunning, $"Expected a running request, got {first.JobStatus}.");
        Assert.Equal("rollback", first.Type);
        Assert.Equal(AliasRequest.Succeeded, outcome.JobStatus);
        Assert.Contains(log.Verbose, m => m.Contains("in-progress", StringComparison.Ordinal));
        Assert.Contains(log.Progress, p => p.Completed);
    }

    [Fact]
    public async Task Promote_moves_production_and_reports_started()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_new", target = "production" }, new { uid = "dpl_old", target = "production" });
        using var client = fake.Client();

        var started = await client.RequestPromoteAsync("dpl_old");
        var outcome = await client.WaitForAliasRequestAsync("dpl_old", DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromSeconds(20));

        Assert.Equal(PromoteOutcome.Started, started);
        Assert.Equal("promote", outcome.Type);
        Assert.Equal("dpl_old", await fake.CurrentProductionAsync());
    }

    [Fact]
    public async Task Rolling_back_to_a_preview_is_rejected_by_Vercel()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_new", target = "production" }, new { uid = "dpl_pre", target = "preview" });
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.RequestRollbackAsync("dpl_pre"));

        Assert.Equal("VercelRequestRejected", error.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
        Assert.Equal("dpl_pre", error.Target);
    }

    [Fact]
    public async Task Redeploy_creates_a_new_deployment_that_builds_to_ready()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_src", target = "production" });
        var log = new CollectingLog();
        using var client = fake.Client(log);
        var source = await client.GetDeploymentAsync("dpl_src");

        var created = await client.RedeployAsync(source);
        var finished = await client.WaitForDeploymentAsync(created.DeploymentId, TimeSpan.FromSeconds(20));

        Assert.NotEqual("dpl_src", created.DeploymentId);
        Assert.Equal("QUEUED", created.State);
        Assert.Equal("redeploy", created.Action);
        Assert.Equal("production", created.Target);
        Assert.Equal("READY", finished.State);
        Assert.Equal(created.DeploymentId, await fake.CurrentProductionAsync());
        Assert.Contains(await fake.RequestsAsync(), r => r.StartsWith("POST /v13/deployments?forceNew=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_call_carries_the_team_scope()
    {
        await fake.ResetVercelAsync(teamId: "team_hotmess");
        await fake.SeedDeploymentsAsync(new { uid = "dpl_new", target = "production" }, new { uid = "dpl_old", target = "production" });
        using var client = fake.Client(teamId: "team_hotmess");

        await ToListAsync(client.GetDeploymentsAsync(new DeploymentFilter()));
        await client.GetDeploymentAsync("dpl_new");
        await client.GetProjectAsync();
        await client.RequestRollbackAsync("dpl_old");
        await client.GetEnvironmentVariablesAsync();
        var requests = await fake.RequestsAsync();

        Assert.Equal(5, requests.Count);
        Assert.All(requests, r => Assert.Contains("teamId=team_hotmess", r));
    }

    [Fact]
    public async Task Without_the_team_scope_a_team_project_is_not_found()
    {
        await fake.ResetVercelAsync(teamId: "team_hotmess");
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => client.GetProjectAsync());

        Assert.Equal("VercelProjectNotFound", error.ErrorId);
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Equal("prj_hotmess", error.Target);
    }

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
