using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Monitoring;

public sealed partial class HealthCheckEngine
{
    /// <summary>The kind under which recovery drills keep their records in the repository.</summary>
    public const string DrillKindName = "Drill";

    /// <summary>"Would I notice if backups silently stopped?": the newest complete set of each kind against its RPO.</summary>
    private IReadOnlyList<HealthCheckResult> CheckBackupFreshness(HealthCheckSettings settings)
    {
        const string name = HealthCheckDefaults.BackupFreshness;
        if (OpenRepository(name, settings, out var skipped) is not { } repository)
        {
            return One(skipped!);
        }

        var now = _clock.GetUtcNow();
        var results = new List<HealthCheckResult>();
        foreach (var kindName in _settings.BackupKinds.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var rpo = _settings.RpoOf(kindName, _targets.DefaultRpoHours);
            var itemName = $"{name}/{kindName}";
            var threshold = $"<= {Duration(rpo)}";
            if (KindNamed(kindName) is not { } kind)
            {
                results.Add(Result(itemName, HealthStatus.Unhealthy, settings, null, threshold,
                    $"'{kindName}' in monitoring.backupKinds is not a kind of backup set; the kinds are {string.Join(", ", BackupKinds.All.Select(k => k.Kind))}"));
                continue;
            }

            var newest = repository.GetSets(kind.Kind).FirstOrDefault();
            if (newest is null)
            {
                results.Add(Result(itemName, HealthStatus.Unhealthy, settings, "none", threshold, $"no complete {kind.Kind} backup set in {repository.Root}"));
                continue;
            }

            var age = now - newest.StartedUtc;
            results.Add(Result(itemName, age > rpo ? HealthStatus.Unhealthy : HealthStatus.Healthy, settings, Duration(age), threshold,
                $"newest {kind.Kind} set {newest.Id} in {repository.Root} was taken {Duration(age)} ago"));
        }

        return results;
    }

    /// <summary>The monthly verification: the newest verification that passed, of any set.</summary>
    private IReadOnlyList<HealthCheckResult> CheckVerificationFreshness(HealthCheckSettings settings)
    {
        const string name = HealthCheckDefaults.VerificationFreshness;
        if (OpenRepository(name, settings, out var skipped) is not { } repository)
        {
            return One(skipped!);
        }

        var newest = repository.GetSets()
            .SelectMany(s => repository.GetVerifications(s.Id).Where(v => v.Passed).Take(1))
            .MaxBy(v => v.CompletedUtc);
        return One(Freshness(name, settings, newest?.CompletedUtc, newest is null ? null : $"set {newest.SetId}", "passed verification", repository.Root));
    }

    /// <summary>The quarterly drill: the newest record of kind <see cref="DrillKindName"/>; none at all is "no drill recorded".</summary>
    private IReadOnlyList<HealthCheckResult> CheckDrillFreshness(HealthCheckSettings settings)
    {
        const string name = HealthCheckDefaults.DrillFreshness;
        if (OpenRepository(name, settings, out var skipped) is not { } repository)
        {
            return One(skipped!);
        }

        var newest = KindNamed(DrillKindName) is { } kind ? repository.GetSets(kind.Kind).FirstOrDefault() : null;
        return One(Freshness(name, settings, newest?.CompletedUtc, newest?.Id, "recovery drill", repository.Root));
    }

    private HealthCheckResult Freshness(string name, HealthCheckSettings settings, DateTimeOffset? newest, string? what, string noun, string root)
    {
        var limit = TimeSpan.FromDays(settings.Threshold ?? 31);
        var threshold = $"<= {Duration(limit)}";
        if (newest is null)
        {
            return Result(name, HealthStatus.Unhealthy, settings, "none", threshold, $"no {noun} recorded in {root}");
        }

        var age = _clock.GetUtcNow() - newest.Value;
        return Result(name, age > limit ? HealthStatus.Unhealthy : HealthStatus.Healthy, settings, Duration(age), threshold,
            $"newest {noun} ({what}) was {Duration(age)} ago");
    }

    /// <summary>The local repository, or null with a Skipped result when there is none to look at.</summary>
    private BackupRepository? OpenRepository(string name, HealthCheckSettings settings, out HealthCheckResult? skipped)
    {
        skipped = null;
        if (string.IsNullOrWhiteSpace(_targets.RepositoryPath))
        {
            skipped = Skipped(name, settings, "no backup repository: set HOTMESS_REPOSITORY or repository in hotmess.json");
            return null;
        }

        if (!Directory.Exists(_targets.RepositoryPath))
        {
            // A repository someone named and that is gone is the silent stop this check is for.
            skipped = _targets.RepositoryRequired
                ? Result(name, HealthStatus.Unhealthy, settings, "none", null, $"the backup repository '{_targets.RepositoryPath}' does not exist")
                : Skipped(name, settings, $"no backup repository at '{_targets.RepositoryPath}'");
            return null;
        }

        return BackupRepository.Open(_targets.RepositoryPath);
    }

    /// <summary>A registered kind by its name ("Database", "Drill"), read by name so kinds added later are found too.</summary>
    private static BackupKindRegistration? KindNamed(string name) =>
        BackupKinds.All.FirstOrDefault(k => string.Equals(k.Kind.ToString(), name, StringComparison.OrdinalIgnoreCase));
}
