using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Drills;

/// <summary>
/// The clock and the timeline of one drill as it runs: every step is timed on <see cref="Time"/>, and a step that
/// throws is recorded as failed with its error id before the drill stops.
/// </summary>
public sealed class DrillRun
{
    /// <summary>The progress activity of a drill; the engines it runs report theirs beside it.</summary>
    public const int ProgressId = 20;

    private readonly List<DrillStep> _steps = [];

    public DrillRun(TimeProvider time, IOperationLog log)
    {
        Time = time;
        Log = log;
        SimulatedIncidentUtc = time.GetUtcNow();
    }

    public TimeProvider Time { get; }

    public IOperationLog Log { get; }

    public DateTimeOffset SimulatedIncidentUtc { get; }

    public DateTimeOffset? ServiceVerifiedUtc { get; private set; }

    public DateTimeOffset? NewestDataRecoveredUtc { get; set; }

    public string? SurvivingSetId { get; set; }

    public IReadOnlyList<DrillStep> Steps => _steps;

    /// <summary>Closes the drill's progress bar.</summary>
    public void CompleteProgress() => Log.Progress(new OperationProgress(ProgressId, "Recovery drill", "Done", 100, Completed: true));

    /// <summary>Marks the moment the recovered service was verified: the end of the RTO clock.</summary>
    public void ServiceVerified() => ServiceVerifiedUtc = Time.GetUtcNow();

    /// <summary>Marks when something the drill ran (a runbook) recorded the service as verified.</summary>
    public void ServiceVerified(DateTimeOffset verifiedUtc) => ServiceVerifiedUtc = verifiedUtc;

    /// <summary>Adds a recovery step that something the drill ran timed and recorded itself, such as a runbook's step in its incident record.</summary>
    public DrillStep AddRecordedStep(string name, DateTimeOffset startedUtc, TimeSpan duration, bool passed, string? detail, string? errorId)
    {
        var step = new DrillStep { Name = name, StartedUtc = startedUtc, Duration = duration, Passed = passed, Detail = detail, ErrorId = errorId };
        _steps.Add(step);
        Log.Verbose($"Drill step '{name}' {(passed ? "passed" : "failed")} in {duration.TotalSeconds:0.###} s: {detail}");
        return step;
    }

    /// <summary>
    /// Runs one recovery step, timed. <paramref name="work"/> returns the step's detail; a <see cref="HotmessException"/>
    /// fails the step and ends the drill (<see cref="DrillStepFailedException"/>).
    /// </summary>
    public Task<T> StepAsync<T>(string name, Func<CancellationToken, Task<(T Value, string Detail)>> work, CancellationToken cancellationToken) =>
        RunAsync(name, cleanup: false, work, cancellationToken);

    public async Task StepAsync(string name, Func<CancellationToken, Task<string>> work, CancellationToken cancellationToken) =>
        await RunAsync<bool>(name, cleanup: false, async token => (true, await work(token).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);

    /// <summary>Runs one cleanup step, timed; a failure is recorded and logged as a warning, never thrown, so the next cleanup step still runs.</summary>
    public async Task CleanupStepAsync(string name, Func<CancellationToken, Task<string>> work, CancellationToken cancellationToken)
    {
        try
        {
            await RunAsync<bool>(name, cleanup: true, async token => (true, await work(token).ConfigureAwait(false)), cancellationToken).ConfigureAwait(false);
        }
        catch (DrillStepFailedException ex)
        {
            Log.Warning($"The drill could not clean up: {ex.Message}");
        }
    }

    private async Task<T> RunAsync<T>(string name, bool cleanup, Func<CancellationToken, Task<(T Value, string Detail)>> work, CancellationToken cancellationToken)
    {
        var step = new DrillStep { Name = name, StartedUtc = Time.GetUtcNow(), Cleanup = cleanup };
        var start = Time.GetTimestamp();
        _steps.Add(step);
        Log.Verbose($"Drill step: {name}.");
        Log.Progress(new OperationProgress(ProgressId, "Recovery drill", name, CurrentOperation: $"step {_steps.Count}"));
        try
        {
            var (value, detail) = await work(cancellationToken).ConfigureAwait(false);
            step.Duration = Time.GetElapsedTime(start);
            step.Passed = true;
            step.Detail = detail;
            Log.Verbose($"Drill step '{name}' passed in {step.Duration.TotalSeconds:0.###} s: {detail}");
            return value;
        }
        catch (HotmessException ex)
        {
            step.Duration = Time.GetElapsedTime(start);
            step.ErrorId = ex.ErrorId;
            step.Detail = ex.Message;
            Log.Warning($"Drill step '{name}' failed after {step.Duration.TotalSeconds:0.###} s: {ex.Message}");
            throw new DrillStepFailedException(step, ex);
        }
        catch (OperationCanceledException)
        {
            step.Duration = Time.GetElapsedTime(start);
            step.ErrorId = "DrillCancelled";
            step.Detail = "Stopped before it ended.";
            throw;
        }
    }
}

/// <summary>A recovery step failed: the drill stops recovering, cleans up, and is recorded as failed.</summary>
public sealed class DrillStepFailedException(DrillStep step, HotmessException inner)
    : Exception($"'{step.Name}' failed: {inner.Message}", inner)
{
    public DrillStep Step { get; } = step;
}
