using System.Collections;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Monitoring;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Repository.Objects;
using Hotmess.Recovery.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Monitoring;

/// <summary>BackupFreshness over an offsite (encrypted object) repository beside the local one; a local folder store stands in for the cloud.</summary>
public sealed class OffsiteBackupFreshnessTests : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-tests-").FullName;
    private readonly CollectingLog _log = new();
    private FakeTimeProvider _clock = null!;

    private string LocalPath => Path.Combine(_root, "local");

    private string OffsitePath => Path.Combine(_root, "offsite");

    public async Task InitializeAsync()
    {
        // A set taken an hour ago, copied offsite; the clock is set from it, as a scheduled check would see it.
        var local = BackupRepository.OpenOrCreate(LocalPath);
        var set = await LocalSets.DatabaseSetAsync(local, DateTimeOffset.UtcNow.AddHours(-1), fileSize: 10_000);
        await using var offsite = await Hotmess.Recovery.Repository.ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(OffsitePath), LocalSets.Passphrase, _log, default);
        await BackupCopyEngine.CopyAsync(new BackupCopyRequest { Set = set, Destination = offsite }, _log, default);
        _clock = new FakeTimeProvider(set.StartedUtc.AddHours(1));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private Task<IReadOnlyList<HealthCheckResult>> RunAsync(IDictionary environment, double rpoHours = 24) =>
        new HealthCheckEngine(
                new MonitoringSettings { BackupKinds = ["Database"], OffsiteRepositories = [OffsitePath], BackupRpoHours = new() { ["Database"] = rpoHours } },
                new HealthTargets { RepositoryPath = LocalPath, RepositoryRequired = true, Environment = environment },
                new HttpClient(), _log, _clock)
            .RunAsync(["BackupFreshness"], CancellationToken.None);

    private static Hashtable WithKey(string passphrase) => new() { ["HOTMESS_REPOSITORY_KEY"] = passphrase };

    [Fact]
    public async Task The_newest_set_is_checked_locally_and_offsite()
    {
        var results = await RunAsync(WithKey(LocalSets.Passphrase.Reveal()));

        Assert.Equal(["BackupFreshness/Database", "BackupFreshness/Database@" + OffsitePath], results.Select(r => r.Name));
        Assert.All(results, r => Assert.Equal(HealthStatus.Healthy, r.Status));
        Assert.All(results, r => Assert.Equal("1 h", r.Value));
    }

    [Fact]
    public async Task An_offsite_copy_older_than_the_RPO_is_unhealthy()
    {
        _clock.Advance(TimeSpan.FromHours(2));

        var results = await RunAsync(WithKey(LocalSets.Passphrase.Reveal()), rpoHours: 2);

        Assert.All(results, r => Assert.Equal(HealthStatus.Unhealthy, r.Status));
        Assert.Equal("3 h", results[1].Value);
    }

    [Fact]
    public async Task An_offsite_repository_without_its_key_is_skipped_saying_which_variable()
    {
        var results = await RunAsync(new Hashtable());

        var offsite = results.Single(r => r.Name == "BackupFreshness@" + OffsitePath);
        Assert.Equal(HealthStatus.Skipped, offsite.Status);
        Assert.Contains("HOTMESS_REPOSITORY_KEY", offsite.Message);
    }

    [Fact]
    public async Task An_offsite_repository_with_a_wrong_key_is_unhealthy_without_the_key()
    {
        var results = await RunAsync(WithKey(LocalSets.WrongPassphrase.Reveal()));

        var offsite = results.Single(r => r.Name == "BackupFreshness@" + OffsitePath);
        Assert.Equal(HealthStatus.Unhealthy, offsite.Status);
        Assert.Contains("cannot be read", offsite.Message);
        Assert.DoesNotContain(LocalSets.WrongPassphrase.Reveal(), offsite.Message);
    }
}
