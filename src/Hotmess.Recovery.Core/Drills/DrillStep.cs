namespace Hotmess.Recovery.Drills;

/// <summary>One timed step of a drill: what ran, when, for how long, and how it ended.</summary>
public sealed class DrillStep
{
    public string Name { get; set; } = "";

    public DateTimeOffset StartedUtc { get; set; }

    public TimeSpan Duration { get; set; }

    public bool Passed { get; set; }

    /// <summary>What the step found or did; never a secret.</summary>
    public string? Detail { get; set; }

    /// <summary>The error id of a failed step, e.g. <c>PgRestoreFailed</c>.</summary>
    public string? ErrorId { get; set; }

    /// <summary>True for the steps that put things back after the drill: they are not part of the measured recovery.</summary>
    public bool Cleanup { get; set; }

    public override string ToString() => $"{Name}: {(Passed ? "passed" : "failed")} in {Duration}";
}
