using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Repository;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Monitoring;

/// <summary>BackupFreshness, VerificationFreshness and DrillFreshness over a local repository, on a fake clock.</summary>
public sealed class HealthCheckFreshnessTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotmess-tests-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly MonitoringSettings _settings = new() { BackupRpoHours = new() { ["Storage"] = 7 * 24 } };

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private BackupRepository Repository() => BackupRepository.OpenOrCreate(_root);

    private Task<IReadOnlyList<HealthCheckResult>> RunAsync(params string[] checks) =>
        new HealthCheckEngine(_settings, new HealthTargets { RepositoryPath = _root, RepositoryRequired = true, DefaultRpoHours = 24 }, new HttpClient(), clock: _clock)
            .RunAsync(checks, CancellationToken.None);

    private static BackupSet Set(BackupRepository repository, BackupKind kind, DateTimeOffset started)
    {
        var pending = repository.BeginSet(kind, started);
        File.WriteAllText(Path.Combine(pending.Path, "payload.txt"), started.ToString("O"));
        return pending.Complete(new BackupManifest { Source = new BackupSource { Host = "db", Port = 5432, Database = "postgres" } });
    }

    private static void Verify(BackupRepository repository, BackupSet set, DateTimeOffset completed, bool passed)
    {
        var verification = new BackupVerification { SetId = set.Id, Kind = set.Kind, StartedUtc = completed.AddMinutes(-5), CompletedUtc = completed };
        verification.Add("Restores", passed, "restored", passed ? "restored" : "failed");
        repository.SaveVerification(verification);
    }

    [Fact]
    public async Task Backups_within_their_kinds_RPO_are_healthy()
    {
        var repository = Repository();
        Set(repository, BackupKind.Database, Now.AddHours(-30));
        Set(repository, BackupKind.Database, Now.AddHours(-20));
        Set(repository, BackupKind.Storage, Now.AddDays(-6));

        var results = await RunAsync("BackupFreshness");

        Assert.Equal(["BackupFreshness/Database", "BackupFreshness/Storage"], results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal(HealthStatus.Healthy, r.Status));
        Assert.Equal("20 h", results[0].Value);
        Assert.Equal("<= 24 h", results[0].Threshold);
    }

    [Fact]
    public async Task A_kind_whose_newest_set_is_older_than_its_RPO_is_unhealthy_once_the_clock_passes_it()
    {
        var repository = Repository();
        Set(repository, BackupKind.Database, Now.AddHours(-23));
        Set(repository, BackupKind.Storage, Now.AddDays(-1));

        Assert.All(await RunAsync("BackupFreshness"), r => Assert.Equal(HealthStatus.Healthy, r.Status));
        _clock.Advance(TimeSpan.FromHours(2));
        var results = await RunAsync("BackupFreshness");

        var database = Assert.Single(results, r => r.Status == HealthStatus.Unhealthy);
        Assert.Equal("BackupFreshness/Database", database.Name);
        Assert.Equal(AlertSeverity.High, database.Severity);
        Assert.Equal("25 h", database.Value);
    }

    [Fact]
    public async Task A_kind_with_no_set_at_all_is_unhealthy()
    {
        Set(Repository(), BackupKind.Database, Now.AddHours(-1));

        var storage = (await RunAsync("BackupFreshness")).Single(r => r.Name == "BackupFreshness/Storage");

        Assert.Equal(HealthStatus.Unhealthy, storage.Status);
        Assert.Contains("no complete Storage backup set", storage.Message);
    }

    [Fact]
    public async Task Freshness_checks_are_skipped_without_a_repository()
    {
        var results = await new HealthCheckEngine(_settings, new HealthTargets(), new HttpClient(), clock: _clock)
            .RunAsync(["BackupFreshness", "VerificationFreshness", "DrillFreshness"], CancellationToken.None);

        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.Equal(HealthStatus.Skipped, r.Status));
        Assert.All(results, r => Assert.Contains("HOTMESS_REPOSITORY", r.Message));
    }

    [Fact]
    public async Task A_named_repository_that_is_gone_is_unhealthy_not_skipped()
    {
        var result = Assert.Single(await RunAsync("BackupFreshness"));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("does not exist", result.Message);
    }

    [Fact]
    public async Task VerificationFreshness_is_healthy_with_a_passed_verification_within_31_days()
    {
        var repository = Repository();
        var set = Set(repository, BackupKind.Database, Now.AddDays(-40));
        Verify(repository, set, Now.AddDays(-20), passed: true);
        Verify(repository, set, Now.AddDays(-1), passed: false);

        var result = Assert.Single(await RunAsync("VerificationFreshness"));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("20 d", result.Value);
        Assert.Equal(AlertSeverity.Medium, result.Severity);
    }

    [Fact]
    public async Task VerificationFreshness_is_unhealthy_when_the_newest_passed_verification_is_older_than_31_days()
    {
        var repository = Repository();
        var set = Set(repository, BackupKind.Database, Now.AddDays(-60));
        Verify(repository, set, Now.AddDays(-32), passed: true);
        Verify(repository, set, Now.AddDays(-2), passed: false);

        var result = Assert.Single(await RunAsync("VerificationFreshness"));

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("32 d", result.Value);
    }

    [Fact]
    public async Task DrillFreshness_with_no_drill_recorded_is_unhealthy_at_Low()
    {
        Set(Repository(), BackupKind.Database, Now.AddHours(-1));

        var result = Assert.Single(await RunAsync("DrillFreshness"));

        Assert.Equal((HealthStatus.Unhealthy, AlertSeverity.Low), (result.Status, result.Severity));
        Assert.Contains("no recovery drill recorded", result.Message);
    }

    [Fact]
    public async Task DrillFreshness_is_healthy_with_a_drill_recorded_within_92_days()
    {
        var repository = Repository();
        Drill(repository, Now.AddDays(-200));
        Drill(repository, Now.AddDays(-60));

        var result = Assert.Single(await RunAsync("DrillFreshness"));

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal("60 d", result.Value);
        Assert.Equal("<= 92 d", result.Threshold);
    }

    [Fact]
    public async Task DrillFreshness_is_unhealthy_once_the_newest_drill_is_older_than_92_days()
    {
        Drill(Repository(), Now.AddDays(-90));

        Assert.Equal(HealthStatus.Healthy, Assert.Single(await RunAsync("DrillFreshness")).Status);
        _clock.Advance(TimeSpan.FromDays(3));
        var result = Assert.Single(await RunAsync("DrillFreshness"));

        Assert.Equal((HealthStatus.Unhealthy, AlertSeverity.Low), (result.Status, result.Severity));
        Assert.Equal("93 d", result.Value);
    }

    /// <summary>A drill record kept as the drill engine keeps it: a Drill set whose manifest holds the record.</summary>
    private static void Drill(BackupRepository repository, DateTimeOffset started)
    {
        var pending = repository.BeginSet(BackupKind.Drill, started);
        File.WriteAllText(Path.Combine(pending.Path, "drill-report.md"), "# Drill");
        pending.Complete(new BackupManifest
        {
            CompletedUtc = started.AddHours(1),
            Source = new BackupSource { Project = "scratch" },
            Contents = new Hotmess.Recovery.Drills.DrillRecord { Scenario = Hotmess.Recovery.Drills.DrillScenario.DatabaseRestore, Target = "scratch", StartedUtc = started, CompletedUtc = started.AddHours(1), Passed = true },
        });
    }

    [Fact]
    public async Task A_check_switched_off_in_the_configuration_is_skipped()
    {
        _settings.Checks["DrillFreshness"] = new HealthCheckSettings { Enabled = false };

        var result = Assert.Single(await RunAsync("DrillFreshness"));

        Assert.Equal(HealthStatus.Skipped, result.Status);
        Assert.Contains("switched off", result.Message);
    }

    [Fact]
    public void An_unknown_check_name_is_refused_naming_the_checks()
    {
        var ex = Assert.Throws<Hotmess.Recovery.Common.HotmessException>(() => HealthCheckEngine.Select(["Site", "Uptime"]));

        Assert.Equal("HealthCheckUnknown", ex.ErrorId);
        Assert.Contains("DrillFreshness", ex.Message);
    }

    [Fact]
    public void A_subset_runs_in_the_canonical_order_whatever_the_spelling()
    {
        Assert.Equal(["Site", "BackupFreshness"], HealthCheckEngine.Select(["backupfreshness", "SITE"]));
    }
}
