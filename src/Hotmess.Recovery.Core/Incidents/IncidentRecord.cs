using System.Collections.Specialized;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// The record of one run of a procedure of the plan, in one shape for every runbook: what was done (steps with
/// status and measured durations), what was found (facts such as the deployment rolled back to), what was noted
/// on the way, what a person still has to do, and how it ended. It holds text only, so no secret value can be put
/// into it by passing a key; <see cref="IncidentRecordRenderer"/> writes it as Markdown and JSON.
/// </summary>
public sealed partial class IncidentRecord
{
    private readonly TimeProvider _clock;
    private readonly OrderedDictionary _facts = new(StringComparer.Ordinal);
    private readonly List<IncidentStep> _steps = [];
    private readonly List<IncidentNote> _notes = [];
    private readonly List<string> _nextSteps = [];
    private readonly List<string> _improvements = [];

    /// <param name="name">A short lower-case name for the id and file names, e.g. <c>credential-recovery</c>.</param>
    /// <param name="procedure">The procedure of the plan, e.g. <c>Procedure 2: Application Rollback</c>.</param>
    public IncidentRecord(string name, string procedure, string? reason, string? performedBy, TimeProvider? clock = null)
    {
        if (string.IsNullOrEmpty(name) || !NamePattern().IsMatch(name))
        {
            throw new HotmessException("IncidentNameInvalid", FailureKind.InvalidArgument,
                $"'{name}' is not an incident record name: use lower-case letters, digits and single dashes, e.g. credential-recovery.", name);
        }

        if (string.IsNullOrWhiteSpace(procedure))
        {
            throw new HotmessException("IncidentProcedureMissing", FailureKind.InvalidArgument, "An incident record needs the procedure it records.", name);
        }

        _clock = clock ?? TimeProvider.System;
        StartedUtc = _clock.GetUtcNow();
        Id = $"{StartedUtc.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{name}";
        Procedure = procedure;
        Reason = reason;
        PerformedBy = performedBy;
    }

    /// <summary>A record as it was kept (see <see cref="IncidentRecordReader"/>); new lines get <paramref name="clock"/>'s time.</summary>
    internal IncidentRecord(string id, string procedure, string? reason, string? performedBy, DateTimeOffset startedUtc, TimeProvider? clock)
    {
        _clock = clock ?? TimeProvider.System;
        Id = id;
        Procedure = procedure;
        Reason = reason;
        PerformedBy = performedBy;
        StartedUtc = startedUtc;
    }

    /// <summary>Sorts by time: <c>20261124T190312Z-credential-recovery</c>; also the name of the record's files.</summary>
    public string Id { get; }

    public string Procedure { get; }

    public string? Reason { get; }

    public string? PerformedBy { get; }

    public DateTimeOffset StartedUtc { get; }

    /// <summary>Null while the incident is open.</summary>
    public DateTimeOffset? CompletedUtc { get; private set; }

    public TimeSpan? Duration => CompletedUtc - StartedUtc;

    /// <summary>How the procedure ended, in the runbook's words (<c>RolledBack</c>, <c>Failed</c>, <c>WhatIf</c>…); null while open.</summary>
    public string? Outcome { get; private set; }

    /// <summary>The error the procedure ended with, if any: its id and message.</summary>
    public string? ErrorId { get; private set; }

    public string? Error { get; private set; }

    /// <summary>What the procedure found or changed, by name, in the order first set (read-only; see <see cref="SetFact"/>).</summary>
    public IOrderedDictionary Facts => _facts.AsReadOnly();

    public IReadOnlyList<IncidentStep> Steps => _steps;

    public IReadOnlyList<IncidentNote> Notes => _notes;

    /// <summary>What a person still has to do, as a checklist.</summary>
    public IReadOnlyList<string> NextSteps => _nextSteps;

    public bool IsOpen => CompletedUtc is null;

    /// <summary>How severe the incident is, on the plan's escalation scale (Critical, High, Medium, Low); null for a procedure's run.</summary>
    public string? Severity { get; set; }

    /// <summary>The scenario of the plan's Recovery Time Objectives table it is measured against (e.g. <c>Database restore</c>).</summary>
    public string? Scenario { get; set; }

    /// <summary>When users were first affected, if before the record was opened; RTO is measured from here.</summary>
    public DateTimeOffset? ImpactStartedUtc { get; set; }

    /// <summary>The newest point the recovered data reaches (e.g. the backup restored); RPO is measured to it.</summary>
    public DateTimeOffset? RecoveredToUtc { get; set; }

    /// <summary>The id of the incident on the company's own status page, when one was opened.</summary>
    public string? StatusPageIncidentId { get; set; }

    /// <summary>What to change so it does not happen again (the plan's "identify improvements").</summary>
    public IReadOnlyList<string> Improvements => _improvements;

    /// <summary>Measured recovery time: from the impact (or the record's start) to the close; null while open.</summary>
    public TimeSpan? MeasuredRto => CompletedUtc - (ImpactStartedUtc ?? StartedUtc);

    /// <summary>Measured data loss: from the impact (or the record's start) back to the point the data was recovered to.</summary>
    public TimeSpan? MeasuredRpo => RecoveredToUtc is { } recovered ? (ImpactStartedUtc ?? StartedUtc) - recovered : null;

    public void AddImprovement(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        _improvements.Add(text);
    }

    /// <summary>A note as it was kept, with its own time.</summary>
    internal void RestoreNote(IncidentNote note) => _notes.Add(note);

    internal void RestoreStep(IncidentStep step) => _steps.Add(step);

    internal void RestoreClosed(DateTimeOffset? completedUtc, string? outcome, string? errorId, string? error)
    {
        CompletedUtc = completedUtc;
        Outcome = outcome;
        ErrorId = errorId;
        Error = error;
    }

    /// <summary>Opens a closed record again to continue its procedure (a resumed run); the earlier end stays on the timeline as a note.</summary>
    internal void Reopen(string note)
    {
        if (IsOpen)
        {
            return;
        }

        _notes.Add(new IncidentNote(_clock.GetUtcNow(), note));
        CompletedUtc = null;
        Outcome = null;
        ErrorId = null;
        Error = null;
    }

    /// <summary>Sets (or replaces) a fact; an empty value removes it.</summary>
    public void SetFact(string name, string? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (string.IsNullOrEmpty(value))
        {
            _facts.Remove(name);
        }
        else
        {
            _facts[name] = value;
        }
    }

    /// <summary>Starts a step now; end it with <see cref="IncidentStep.Succeed"/>, <see cref="IncidentStep.Fail"/> or <see cref="IncidentStep.Skip"/>.</summary>
    public IncidentStep StartStep(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var step = new IncidentStep(name, _clock);
        _steps.Add(step);
        return step;
    }

    /// <summary>Adds a step that was measured elsewhere (e.g. an integration check with its own duration).</summary>
    public IncidentStep AddStep(string name, IncidentStepStatus status, DateTimeOffset startedUtc, TimeSpan duration, string? detail = null, string? errorId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var step = new IncidentStep(name, status, startedUtc, duration, detail, errorId);
        _steps.Add(step);
        return step;
    }

    public IncidentNote AddNote(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        var note = new IncidentNote(_clock.GetUtcNow(), text);
        _notes.Add(note);
        return note;
    }

    public void AddNextStep(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        _nextSteps.Add(text);
    }

    /// <summary>Closes the record with its outcome, and the error it ended with if any. A closed record is not closed again.</summary>
    public void Complete(string outcome, string? errorId = null, string? error = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(outcome);
        if (!IsOpen)
        {
            throw new HotmessException("IncidentAlreadyClosed", FailureKind.InvalidOperation,
                $"The incident record {Id} was already closed with the outcome {Outcome}.", Id);
        }

        CompletedUtc = _clock.GetUtcNow();
        Outcome = outcome;
        ErrorId = errorId;
        Error = error;
    }

    public override string ToString() => $"{Id} ({Outcome ?? "open"})";

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex NamePattern();
}
