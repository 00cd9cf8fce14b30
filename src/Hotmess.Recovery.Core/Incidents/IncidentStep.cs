namespace Hotmess.Recovery.Incidents;

/// <summary>
/// One step of a procedure on the incident's timeline: when it started, how long it took (measured, not
/// estimated) and how it ended, with a detail a reader can act on. Details are written by the procedure and
/// never hold a secret value.
/// </summary>
public sealed class IncidentStep
{
    private readonly TimeProvider _clock;
    private readonly long _startTimestamp;

    internal IncidentStep(string name, TimeProvider clock)
    {
        Name = name;
        _clock = clock;
        StartedUtc = clock.GetUtcNow();
        _startTimestamp = clock.GetTimestamp();
    }

    internal IncidentStep(string name, IncidentStepStatus status, DateTimeOffset startedUtc, TimeSpan? duration, string? detail, string? errorId, TimeProvider? clock = null)
    {
        Name = name;
        _clock = clock ?? TimeProvider.System;
        Status = status;
        StartedUtc = startedUtc;
        Duration = duration;
        Detail = detail;
        ErrorId = errorId;
    }

    public string Name { get; }

    public IncidentStepStatus Status { get; private set; } = IncidentStepStatus.Running;

    public DateTimeOffset StartedUtc { get; }

    /// <summary>Null while the step runs.</summary>
    public TimeSpan? Duration { get; private set; }

    public string? Detail { get; private set; }

    /// <summary>The error id of a failed step (e.g. <c>VercelRollbackFailed</c>), so a reader can look it up.</summary>
    public string? ErrorId { get; private set; }

    public IncidentStep Succeed(string? detail = null) => End(IncidentStepStatus.Succeeded, detail, null);

    public IncidentStep Fail(string? detail, string? errorId = null) => End(IncidentStepStatus.Failed, detail, errorId);

    /// <summary>Ends a step that was not carried out, e.g. under -WhatIf; the detail says why.</summary>
    public IncidentStep Skip(string? detail = null) => End(IncidentStepStatus.Skipped, detail, null);

    public override string ToString() => $"{Name}: {Status}";

    private IncidentStep End(IncidentStepStatus status, string? detail, string? errorId)
    {
        if (Status != IncidentStepStatus.Running)
        {
            throw new InvalidOperationException($"The step '{Name}' already ended ({Status}).");
        }

        // A step read back from a kept record (a run continued by another process) has no timestamp of this process:
        // its duration is measured on the wall clock from when it started.
        Duration = _startTimestamp != 0 ? _clock.GetElapsedTime(_startTimestamp) : _clock.GetUtcNow() - StartedUtc;
        Status = status;
        Detail = detail;
        ErrorId = errorId;
        return this;
    }
}
