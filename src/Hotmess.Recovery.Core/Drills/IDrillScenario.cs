namespace Hotmess.Recovery.Drills;

/// <summary>
/// One scenario of a drill against non-production targets: refuse a production target before anything happens,
/// recover through the engines the real procedure uses (each step timed by <see cref="DrillRun"/>), then put back
/// what the drill created.
/// </summary>
public interface IDrillScenario
{
    DrillScenario Scenario { get; }

    /// <summary>The target the drill recovers into, without secrets.</summary>
    string Target { get; }

    /// <summary>The steps the drill will take, in words, for -WhatIf.</summary>
    IReadOnlyList<string> Plan { get; }

    /// <summary>Refuses a production or unusable target (<c>DrillTargetIsProduction</c>…) without touching anything.</summary>
    void Validate();

    /// <summary>
    /// Simulates the failure and recovers from it; sets <see cref="DrillRun.ServiceVerifiedUtc"/> once the service
    /// is verified and <see cref="DrillRun.NewestDataRecoveredUtc"/> once data is back. A failing step ends it.
    /// </summary>
    Task RecoverAsync(DrillRun run, CancellationToken cancellationToken);

    /// <summary>Removes or puts back what <see cref="RecoverAsync"/> created, as cleanup steps; runs whatever happened before.</summary>
    Task CleanupAsync(DrillRun run, CancellationToken cancellationToken);
}
