namespace Hotmess.Recovery.Drills;

/// <summary>
/// The evidence of one recovery drill, kept in the repository as a set of kind Drill whatever its outcome: a failed
/// drill is evidence too. RTO runs from the simulated incident to the moment the service was verified; RPO from
/// the newest data recovered to the simulated incident.
/// </summary>
public sealed class DrillRecord
{
    /// <summary>The id of the drill's set in the repository, e.g. <c>20261124T190312Z-drill-7f3a</c>.</summary>
    public string Id { get; set; } = "";

    public DrillScenario Scenario { get; set; }

    /// <summary>The non-production target the drill recovered into, described without secrets.</summary>
    public string Target { get; set; } = "";

    public DateTimeOffset StartedUtc { get; set; }

    /// <summary>When the failure was simulated: the start of the RTO clock and the reference of the RPO.</summary>
    public DateTimeOffset SimulatedIncidentUtc { get; set; }

    /// <summary>When the recovered service was verified; null when the recovery did not get that far.</summary>
    public DateTimeOffset? ServiceVerifiedUtc { get; set; }

    /// <summary>The newest data the recovery brought back; null when nothing was recovered.</summary>
    public DateTimeOffset? NewestDataRecoveredUtc { get; set; }

    public DateTimeOffset CompletedUtc { get; set; }

    /// <summary>The backup set taken as what survived the failure, for the scenarios that restore one.</summary>
    public string? SurvivingSetId { get; set; }

    /// <summary>Simulated incident to service verified; null when the service was never verified.</summary>
    public TimeSpan? Rto { get; set; }

    /// <summary>Simulated incident minus the newest data recovered; null when nothing was recovered.</summary>
    public TimeSpan? Rpo { get; set; }

    public TimeSpan RtoObjective { get; set; }

    /// <summary>Null when the plan sets none ("case-dependent"): the RPO is then measured but not judged.</summary>
    public TimeSpan? RpoObjective { get; set; }

    /// <summary>Where the objectives came from: the plan's row, the configuration, or the caller.</summary>
    public string ObjectivesSource { get; set; } = "";

    public bool RtoPassed { get; set; }

    public bool RpoPassed { get; set; }

    /// <summary>True when every recovery step passed and both objectives were met.</summary>
    public bool Passed { get; set; }

    public List<DrillStep> Steps { get; set; } = new();

    /// <summary>The verdict per objective, with the margin or the excess in words.</summary>
    public List<string> Findings { get; set; } = new();

    /// <summary>What to change, drawn from the failed or slow steps and the missed objectives.</summary>
    public List<string> Improvements { get; set; } = new();

    /// <summary>The Markdown report of the drill, inside its set.</summary>
    public string? ReportPath { get; set; }

    /// <summary>The repository root the record is kept in.</summary>
    public string? Repository { get; set; }

    public override string ToString() => $"{Id} {Scenario}: {(Passed ? "passed" : "failed")}";
}
