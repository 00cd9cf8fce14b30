using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;
using Hotmess.Recovery.Tests.Fakes;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Platform.Vercel;

public sealed class ApplicationRedeployTests(FakeServer fake) : IClassFixture<FakeServer>, IAsyncLifetime
{
    public async Task InitializeAsync()
    {
        await fake.ResetVercelAsync();
        await fake.SeedDeploymentsAsync(new { uid = "dpl_current", target = "production" }, new { uid = "dpl_old", target = "production" }, new { uid = "dpl_pre", target = "preview" });
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Redeploys_the_production_deployment_by_default_and_waits_until_it_serves()
    {
        var log = new CollectingLog();
        using var client = fake.Client(log);
        var redeploy = new ApplicationRedeploy(client, log);

        var source = await redeploy.ResolveSourceAsync(null, default);
        var created = await redeploy.RedeployAsync(source, null, TimeSpan.FromSeconds(20), default);

        Assert.Equal("dpl_current", source.DeploymentId);
        Assert.Equal("READY", created.State);
        Assert.Equal("production", created.Target);
        Assert.Equal(created.DeploymentId, await fake.CurrentProductionAsync());
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public async Task After_a_rollback_a_redeployed_build_is_staged_and_a_warning_says_so()
    {
        var log = new CollectingLog();
        using var client = fake.Client(log);
        await client.RequestRollbackAsync("dpl_old");
        await client.WaitForAliasRequestAsync("dpl_old", DateTimeOffset.UtcNow.AddSeconds(-5), TimeSpan.FromSeconds(20));
        var redeploy = new ApplicationRedeploy(client, log);

        var created = await redeploy.RedeployAsync(await client.GetDeploymentAsync("dpl_current"), null, TimeSpan.FromSeconds(20), default);

        Assert.Equal("READY", created.State);
        Assert.Equal("STAGED", created.ReadySubstate);
        Assert.Equal("dpl_old", await fake.CurrentProductionAsync());
        Assert.Contains(log.Warnings, w => w.Contains($"Promote {created.DeploymentId}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_preview_stays_a_preview_unless_a_target_is_given()
    {
        using var client = fake.Client();
        var redeploy = new ApplicationRedeploy(client, new CollectingLog());
        var source = await redeploy.ResolveSourceAsync("dpl_pre", default);

        var asPreview = await redeploy.RedeployAsync(source, null, null, default);
        var asProduction = await redeploy.RedeployAsync(source, "production", null, default);

        Assert.Null(asPreview.Target);
        Assert.Equal("production", asProduction.Target);
    }

    [Fact]
    public async Task A_build_that_ends_in_error_fails_the_redeploy()
    {
        await fake.PostAsync("/__fake/vercel/builds/fail", new { count = 1 });
        using var client = fake.Client();
        var redeploy = new ApplicationRedeploy(client, new CollectingLog());
        var source = await redeploy.ResolveSourceAsync(null, default);

        var error = await Assert.ThrowsAsync<HotmessException>(() => redeploy.RedeployAsync(source, null, TimeSpan.FromSeconds(20), default));

        Assert.Equal("VercelDeploymentFailed", error.ErrorId);
        Assert.Equal(FailureKind.RemoteServiceFailed, error.Kind);
        Assert.Contains("ERROR: BUILD_FAILED", error.Message);
        Assert.Equal("dpl_current", await fake.CurrentProductionAsync());
    }

    [Fact]
    public async Task A_build_slower_than_the_timeout_times_out()
    {
        await fake.ResetVercelAsync(stepMs: 5000);
        await fake.SeedDeploymentsAsync(new { uid = "dpl_current", target = "production" });
        using var client = fake.Client();
        var redeploy = new ApplicationRedeploy(client, new CollectingLog());
        var source = await redeploy.ResolveSourceAsync(null, default);

        var error = await Assert.ThrowsAsync<HotmessException>(() => redeploy.RedeployAsync(source, null, TimeSpan.FromMilliseconds(500), default));

        Assert.Equal("VercelDeploymentTimedOut", error.ErrorId);
        Assert.Equal(FailureKind.Timeout, error.Kind);
    }
}
