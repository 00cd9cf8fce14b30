using System.Reflection;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Drills;

/// <summary>
/// The plan's Quarterly Recovery Drill: simulate the failure, run the recovery the real procedure runs (timing each
/// step), measure RTO and RPO against the objectives, keep the record and its report in the repository whatever
/// the outcome, and clean up what the drill created.
/// </summary>
public static class DrillEngine
{
    public const string ReportFileName = "report.md";

    private static readonly string ModuleVersion =
        typeof(DrillEngine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0";

    public static async Task<DrillRecord> RunAsync(IDrillScenario scenario, DrillObjectives objectives, BackupRepository repository,
        IOperationLog log, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        scenario.Validate();
        var run = new DrillRun(time ?? TimeProvider.System, log);
        log.Verbose($"Drill {scenario.Scenario} against {scenario.Target}: simulated incident at {run.SimulatedIncidentUtc:u}.");
        try
        {
            await scenario.RecoverAsync(run, cancellationToken).ConfigureAwait(false);
        }
        catch (DrillStepFailedException ex)
        {
            log.Verbose($"The recovery stopped: {ex.Message}");
        }
        finally
        {
            // Whatever happened, and even when stopped: what the drill created never outlives it.
            await scenario.CleanupAsync(run, CancellationToken.None).ConfigureAwait(false);
            run.CompleteProgress();
        }

        var record = Evaluate(scenario, objectives, run);
        await KeepAsync(record, repository, cancellationToken).ConfigureAwait(false);
        log.Verbose($"Kept drill {record.Id} ({(record.Passed ? "passed" : "failed")}); report: {record.ReportPath}");
        return record;
    }

    /// <summary>Measures RTO and RPO, judges both against the objectives, and draws improvements from the timeline.</summary>
    public static DrillRecord Evaluate(IDrillScenario scenario, DrillObjectives objectives, DrillRun run)
    {
        var record = new DrillRecord
        {
            Scenario = scenario.Scenario,
            Target = scenario.Target,
            StartedUtc = run.SimulatedIncidentUtc,
            SimulatedIncidentUtc = run.SimulatedIncidentUtc,
            ServiceVerifiedUtc = run.ServiceVerifiedUtc,
            NewestDataRecoveredUtc = run.NewestDataRecoveredUtc,
            SurvivingSetId = run.SurvivingSetId,
            CompletedUtc = run.Time.GetUtcNow(),
            RtoObjective = objectives.Rto,
            RpoObjective = objectives.Rpo,
            ObjectivesSource = objectives.Source,
            Steps = run.Steps.ToList(),
        };
        record.Rto = run.ServiceVerifiedUtc - run.SimulatedIncidentUtc;
        record.Rpo = run.NewestDataRecoveredUtc is { } newest ? Max(TimeSpan.Zero, run.SimulatedIncidentUtc - newest) : null;
        var recovery = record.Steps.Where(s => !s.Cleanup).ToList();
        var failed = recovery.FirstOrDefault(s => !s.Passed);

        record.RtoPassed = record.Rto is { } rto && rto <= objectives.Rto;
        record.Findings.Add(record.Rto switch
        {
            null => $"RTO not met: the service was never verified ({(failed is null ? "the recovery did not finish" : $"the recovery stopped at '{failed.Name}'")}); the objective is {DrillText.Duration(objectives.Rto)}.",
            { } r when r <= objectives.Rto => $"RTO {DrillText.Duration(r)} is within the {DrillText.Duration(objectives.Rto)} objective, {DrillText.Duration(objectives.Rto - r)} to spare.",
            { } r => $"RTO {DrillText.Duration(r)} exceeds the {DrillText.Duration(objectives.Rto)} objective by {DrillText.Duration(r - objectives.Rto)}.",
        });

        record.RpoPassed = record.Rpo is { } rpo && (objectives.Rpo is not { } rpoObjective || rpo <= rpoObjective);
        record.Findings.Add((record.Rpo, objectives.Rpo) switch
        {
            (null, _) => "RPO not measured: no data was recovered.",
            ({ } r, null) => $"RPO {DrillText.Duration(r)} measured; the plan sets no RPO objective for this scenario (case-dependent), so it is not judged.",
            ({ } r, { } o) when r <= o => $"RPO {DrillText.Duration(r)} is within the {DrillText.Duration(o)} objective, {DrillText.Duration(o - r)} to spare.",
            ({ } r, { } o) => $"RPO {DrillText.Duration(r)} exceeds the {DrillText.Duration(o)} objective by {DrillText.Duration(r - o)}.",
        });

        record.Passed = failed is null && record.RtoPassed && record.RpoPassed;
        record.Improvements.AddRange(Improvements(record, recovery));
        return record;
    }

    private static IEnumerable<string> Improvements(DrillRecord record, List<DrillStep> recovery)
    {
        foreach (var step in recovery.Where(s => !s.Passed))
        {
            yield return $"'{step.Name}' failed{(step.ErrorId is null ? "" : $" ({step.ErrorId})")}: {step.Detail} A real recovery would stop here; fix it and run the drill again.";
        }

        var measured = recovery.Where(s => s.Passed).ToList();
        var slowest = measured.OrderByDescending(s => s.Duration).FirstOrDefault();
        if (record.Rto is { } rto && rto > record.RtoObjective && slowest is not null)
        {
            var share = rto > TimeSpan.Zero ? slowest.Duration / rto : 1;
            yield return $"'{slowest.Name}' took {DrillText.Duration(slowest.Duration)}, {Math.Round(share * 100).ToString(System.Globalization.CultureInfo.InvariantCulture)}% of the recovery: the {DrillText.Duration(rto - record.RtoObjective)} over the RTO objective has to come out of it first.";
        }

        foreach (var step in measured.Where(s => s.Duration > record.RtoObjective / 2 && !(record.Rto > record.RtoObjective && s == slowest)))
        {
            yield return $"'{step.Name}' alone took {DrillText.Duration(step.Duration)}, more than half of the {DrillText.Duration(record.RtoObjective)} RTO objective: make it faster before it grows past it.";
        }

        if (record.Rpo is { } rpo && record.RpoObjective is { } rpoObjective && rpo > rpoObjective)
        {
            yield return $"The newest data recovered was {DrillText.Duration(rpo)} old at the incident, {DrillText.Duration(rpo - rpoObjective)} over the RPO objective: back up (and verify) more often than every {DrillText.Duration(rpoObjective)}.";
        }

        foreach (var step in record.Steps.Where(s => s.Cleanup && !s.Passed))
        {
            yield return $"Cleanup '{step.Name}' failed: {step.Detail} Remove what it left by hand.";
        }
    }

    /// <summary>Writes the record and its report as a Drill set: the manifest (holding the record) last, as for every set.</summary>
    private static async Task KeepAsync(DrillRecord record, BackupRepository repository, CancellationToken cancellationToken)
    {
        using var held = repository.Lock(BackupKind.Drill);
        var pending = repository.BeginSet(BackupKind.Drill, record.StartedUtc);
        try
        {
            record.Id = pending.Id;
            record.Repository = repository.Root;
            record.ReportPath = Path.Combine(pending.Path, ReportFileName);
            await File.WriteAllTextAsync(record.ReportPath, DrillReport.RenderMarkdown(record), cancellationToken).ConfigureAwait(false);
            var manifest = new BackupManifest
            {
                CompletedUtc = record.CompletedUtc,
                Source = new BackupSource { Project = record.Target },
                Tools = { ["HotmessRecovery"] = ModuleVersion },
                Contents = record,
                Files = await pending.HashPayloadAsync(1, cancellationToken).ConfigureAwait(false),
            };
            pending.Complete(manifest);
        }
        catch
        {
            pending.Abandon();
            throw;
        }
    }

    /// <summary>The drills kept in <paramref name="repository"/>, newest first.</summary>
    public static IEnumerable<DrillRecord> GetDrills(BackupRepository repository) =>
        repository.GetSets(BackupKind.Drill).Select(set =>
        {
            var record = (DrillRecord)set.Manifest.Contents!;
            record.Id = set.Id;
            record.Repository = repository.Root;
            record.ReportPath = Path.Combine(set.Path, ReportFileName);
            return record;
        });

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
