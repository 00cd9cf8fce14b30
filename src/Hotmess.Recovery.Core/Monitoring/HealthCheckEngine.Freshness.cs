using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Monitoring;

public sealed partial class HealthCheckEngine
{
    /// <summary>The kind under which recovery drills keep their records in the repository.</summary>
    public const string DrillKindName = "Drill";

    /// <summary>
    /// "Would I notice if backups silently stopped?": the newest complete set of each kind against its RPO, in the local
    /// repository (<c>BackupFreshness/Database</c>) and in each offsite one (<c>BackupFreshness/Database@az://…</c>).
    /// </summary>
    private async Task<IReadOnlyList<HealthCheckResult>> CheckBackupFreshnessAsync(HealthCheckSettings settings, CancellationToken cancellationToken)
    {
        const string name = HealthCheckDefaults.BackupFreshness;
        var results = new List<HealthCheckResult>();
        var offsite = _settings.OffsiteRepositories.Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (_targets.RepositoryPath is { } path && ObjectRepositoryAddress.IsObjectRepository(path))
        {
            // An encrypted or remote repository as the main one is read as the offsite ones are.
            offsite.Insert(0, path);
        }
        else if (OpenRepository(name, settings, out var skipped) is { } repository)
        {
            results.AddRange(NewestOfEachKind(name, settings, "", repository.Root, kind => repository.GetSets(kind).FirstOrDefault()));
        }
        else if (offsite.Count == 0)
        {
            return One(skipped!);
        }
        else
        {
            results.Add(skipped!);
        }

        foreach (var location in offsite)
        {
            results.AddRange(await OffsiteFreshnessAsync(name, settings, location, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<IReadOnlyList<HealthCheckResult>> OffsiteFreshnessAsync(string name, HealthCheckSettings settings, string location, CancellationToken cancellationToken)
    {
        try
        {
            await using var repository = await ObjectRepositoryAddress.OpenAsync(location, _targets.RepositoryKeyFile, _targets.Environment, initialize: false, _log,
                cancellationToken).ConfigureAwait(false);
            var sets = await repository.GetSetsAsync(null, _log, cancellationToken).ConfigureAwait(false);
            return NewestOfEachKind(name, settings, "@" + repository.Location, repository.Location,
                kind => sets.Where(s => s.Kind == kind).MaxBy(s => s.StartedUtc));
        }
        catch (HotmessException ex) when (ex.ErrorId == "RepositoryKeyMissing")
        {
            return One(Skipped($"{name}@{location}", settings, ex.Message));
        }
        catch (HotmessException ex)
        {
            return One(Result($"{name}@{location}", HealthStatus.Unhealthy, settings, null, null, $"the offsite repository '{location}' cannot be read: {ex.Message}"));
        }
    }

    /// <param name="suffix">Added to each result's name: empty for the local repository, <c>@location</c> for an offsite one.</param>
    private List<HealthCheckResult> NewestOfEachKind(string name, HealthCheckSettings settings, string suffix, string where, Func<BackupKind, BackupSet?> newestOf)
    {
        var now = _clock.GetUtcNow();
        var results = new List<HealthCheckResult>();
        foreach (var kindName in _settings.BackupKinds.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var rpo = _settings.RpoOf(kindName, _targets.DefaultRpoHours);
            var itemName = $"{name}/{kindName}{suffix}";
            var threshold = $"<= {Duration(rpo)}";
            if (KindNamed(kindName) is not { } kind)
            {
                results.Add(Result(itemName, HealthStatus.Unhealthy, settings, null, threshold,
                    $"'{kindName}' in monitoring.backupKinds is not a kind of backup set; the kinds are {string.Join(", ", BackupKinds.All.Select(k => k.Kind))}"));
                continue;
            }

            var newest = newestOf(kind.Kind);
            if (newest is null)
            {
                results.Add(Result(itemName, HealthStatus.Unhealthy, settings, "none", threshold, $"no complete {kind.Kind} backup set in {where}"));
                continue;
            }

            var age = now - newest.StartedUtc;
            results.Add(Result(itemName, age > rpo ? HealthStatus.Unhealthy : HealthStatus.Healthy, settings, Duration(age), threshold,
                $"newest {kind.Kind} set {newest.Id} in {where} was taken {Duration(age)} ago"));
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
