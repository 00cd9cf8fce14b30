using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class ApplicationRollbackTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    private static readonly RollbackOptions Quick = new() { Timeout = TimeSpan.FromSeconds(20), HealthCheckTimeout = TimeSpan.FromSeconds(1) };

    public Task InitializeAsync() => fake.ResetVercelAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Rolls_back_to_the_last_ready_production_deployment_and_the_site_recovers()
    {
        await fake.SeedDeploymentsAsync(
            new { uid = "dpl_broken", target = "production", healthy = false },
            new { uid = "dpl_failed_build", target = "production", state = "ERROR" },
            new { uid = "dpl_preview", target = "preview" },
            new { uid = "dpl_good", target = "production" },
            new { uid = "dpl_older", target = "production" });
        var log = new CollectingLog();
        using var client = fake.Client(log);
        using var site = new SiteHealthClient(fake.BaseUrl);
        var rollback = new ApplicationRollback(client, site, log);
        Assert.False((await site.CheckAsync()).Healthy);

        var plan = await rollback.PlanAsync(null, default);
        var result = await rollback.ExecuteAsync(plan, Quick, default);

        Assert.Equal("dpl_broken", plan.From.DeploymentId);
        Assert.Equal("dpl_good", plan.To.DeploymentId);
        Assert.Equal("dpl_broken", result.FromDeploymentId);
        Assert.Equal("dpl_good", result.ToDeploymentId);
        Assert.Equal(AliasRequest.Succeeded, result.Status);
        Assert.True(result.Healthy);
        Assert.Equal(fake.BaseUrl + "api/health", result.HealthUrl);
        Assert.True(result.Duration > TimeSpan.Zero);
        Assert.Equal("dpl_good", await fake.CurrentProductionAsync());
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public async Task Finds_the_previous_deployment_past_the_first_page()
    {
        var deployments = new List<object> { new { uid = "dpl_current", target = "production", ageMinutes = 1 } };
        deployments.AddRange(Enumerable.Range(0, 60).Select(i => (object)new { uid = $"dpl_err{i:00}", target = "production", state = "ERROR", ageMinutes = 2 + i }));
        deployments.Add(new { uid = "dpl_last_good", target = "production", ageMinutes = 100 });
        await fake.SeedDeploymentsAsync([.. deployments]);
        using var client = fake.Client();

        var plan = await new ApplicationRollback(client, null, new CollectingLog()).PlanAsync(null, default);

        Assert.Equal("dpl_last_good", plan.To.DeploymentId);
    }

    [Fact]
    public async Task After_a_rollback_the_next_one_goes_further_back()
    {
        await fake.SeedDeploymentsAsync(VercelFakes.ProductionDeployments(4));
        using var client = fake.Client();
        var rollback = new ApplicationRollback(client, null, new CollectingLog());

        await rollback.ExecuteAsync(await rollback.PlanAsync(null, default), Quick, default);
        var second = await rollback.PlanAsync(null, default);

        Assert.Equal("dpl_p001", second.From.DeploymentId);
        Assert.Equal("dpl_p002", second.To.DeploymentId);
    }

    [Fact]
    public async Task With_no_earlier_ready_production_deployment_there_is_nothing_to_roll_back_to()
    {
        await fake.SeedDeploymentsAsync(
            new { uid = "dpl_only", target = "production" },
            new { uid = "dpl_err", target = "production", state = "ERROR" },
            new { uid = "dpl_preview", target = "preview" });
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => new ApplicationRollback(client, null, new CollectingLog()).PlanAsync(null, default));

        Assert.Equal("VercelNoRollbackCandidate", error.ErrorId);
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Equal("prj_hotmess", error.Target);
        Assert.Contains("older than dpl_only", error.Message);
    }

    [Fact]
    public async Task A_project_without_production_deployments_cannot_be_rolled_back()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_preview", target = "preview" });
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => new ApplicationRollback(client, null, new CollectingLog()).PlanAsync(null, default));

        Assert.Equal("VercelNoProductionDeployment", error.ErrorId);
    }

    [Theory]
    [InlineData("dpl_missing", "VercelDeploymentNotFound", FailureKind.NotFound)]
    [InlineData("dpl_preview", "VercelDeploymentNotProduction", FailureKind.InvalidArgument)]
    [InlineData("dpl_err", "VercelDeploymentNotReady", FailureKind.InvalidOperation)]
    [InlineData("dpl_current", "VercelDeploymentAlreadyCurrent", FailureKind.InvalidOperation)]
    public async Task An_explicit_target_that_cannot_serve_production_is_refused(string deploymentId, string errorId, FailureKind kind)
    {
        await fake.SeedDeploymentsAsync(
            new { uid = "dpl_current", target = "production" },
            new { uid = "dpl_preview", target = "preview" },
            new { uid = "dpl_err", target = "production", state = "ERROR" },
            new { uid = "dpl_good", target = "production" });
        using var client = fake.Client();

        var error = await Assert.ThrowsAsync<HotmessException>(() => new ApplicationRollback(client, null, new CollectingLog()).PlanAsync(deploymentId, default));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(kind, error.Kind);
        Assert.Equal(deploymentId, error.Target);
        Assert.DoesNotContain(await fake.RequestsAsync(), r => r.Contains("/rollback/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rollback_Vercel_reports_as_failed_is_an_error_naming_the_aliases_and_production_stays()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_current", target = "production" }, new { uid = "dpl_good", target = "production", rollbackFails = true });
        using var client = fake.Client();
        var rollback = new ApplicationRollback(client, null, new CollectingLog());
        var plan = await rollback.PlanAsync(null, default);

        var error = await Assert.ThrowsAsync<HotmessException>(() => rollback.ExecuteAsync(plan, Quick, default));

        Assert.Equal("VercelRollbackFailed", error.ErrorId);
        Assert.Equal(FailureKind.RemoteServiceFailed, error.Kind);
        Assert.Equal("dpl_good", error.Target);
        Assert.Contains("hotmess.london", error.Message);
        Assert.Contains("still points at dpl_current", error.Message);
        Assert.Equal("dpl_current", await fake.CurrentProductionAsync());
    }

    [Fact]
    public async Task A_rollback_that_never_ends_times_out_and_blocks_the_next_one()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_current", target = "production" }, new { uid = "dpl_good", target = "production", rollbackHangs = true });
        using var client = fake.Client();
        var rollback = new ApplicationRollback(client, null, new CollectingLog());
        var plan = await rollback.PlanAsync(null, default);

        var timeout = await Assert.ThrowsAsync<HotmessException>(() => rollback.ExecuteAsync(plan, Quick with { Timeout = TimeSpan.FromSeconds(1) }, default));
        var busy = await Assert.ThrowsAsync<HotmessException>(() => rollback.PlanAsync(null, default));

        Assert.Equal("VercelAliasRequestTimedOut", timeout.ErrorId);
        Assert.Equal(FailureKind.Timeout, timeout.Kind);
        Assert.Contains("in-progress", timeout.Message);
        Assert.Equal("VercelAliasRequestInProgress", busy.ErrorId);
        Assert.Equal(FailureKind.InvalidOperation, busy.Kind);
    }

    [Fact]
    public async Task A_site_still_unhealthy_after_the_rollback_is_reported_in_the_result_and_as_a_warning()
    {
        await fake.SeedDeploymentsAsync(new { uid = "dpl_current", target = "production", healthy = false }, new { uid = "dpl_also_bad", target = "production", healthy = false });
        var log = new CollectingLog();
        using var client = fake.Client(log);
        using var site = new SiteHealthClient(fake.BaseUrl);
        var rollback = new ApplicationRollback(client, site, log);

        var result = await rollback.ExecuteAsync(await rollback.PlanAsync(null, default), Quick, default);

        Assert.Equal(AliasRequest.Succeeded, result.Status);
        Assert.False(result.Healthy);
        Assert.StartsWith("503", result.HealthDetail);
        Assert.Contains(log.Warnings, w => w.Contains("unhealthy", StringComparison.Ordinal));
    }
}
