using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// A checkpointed run of a recovery procedure over an incident kept in the repository. Every step's start and end is
/// saved at once (steps are named <c>Phase: step</c>), so a run that stops — an error, a killed job, a person pressing
/// Ctrl+C — is continued by a later run of the same incident: steps that completed are skipped, and a step marked
/// destructive that started but did not complete is not run again unless it is known to be safe to redo.
/// The record is read back before every change, so notes and status page updates written by other commands in the
/// meantime are kept. A run over a record that is not kept (-WhatIf) changes nothing on disk.
/// </summary>
public sealed class RecoveryRun
{
    private readonly IncidentStore? _store;
    private IncidentRecord _record;

    private RecoveryRun(IncidentStore? store, IncidentRecord record, RecoveryPhase? from, RecoveryPhase? only)
    {
        if (from is not null && only is not null)
        {
            throw new HotmessException("RecoveryPhaseSelectionInvalid", FailureKind.InvalidArgument,
                "Give either the phase to start from or the only phase to run, not both.", $"{from}/{only}");
        }

        _store = store;
        _record = record;
        From = from;
        Only = only;
    }

    /// <summary>
    /// Continues (or starts the steps of) the incident kept under <paramref name="incidentId"/>. A record that ended
    /// unrecovered is opened again, with a note; one that was recovered is not run again.
    /// </summary>
    public static RecoveryRun Open(IncidentStore store, string incidentId, RecoveryPhase? from = null, RecoveryPhase? only = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var record = store.Get(incidentId);
        if (!record.IsOpen && string.Equals(record.Outcome, RecoveredOutcome, StringComparison.OrdinalIgnoreCase))
        {
            throw new HotmessException("RecoveryAlreadyComplete", FailureKind.InvalidOperation,
                $"The incident {record.Id} was recovered at {record.CompletedUtc:u}; a new recovery needs a new incident.", record.Id);
        }

        var run = new RecoveryRun(store, record, from, only);
        if (!record.IsOpen)
        {
            record.Reopen($"Resumed after it ended {record.Outcome}{(record.ErrorId is null ? "" : $" ({record.ErrorId})")}.");
            store.Save(record);
        }

        return run;
    }

    /// <summary>A run over a record that is never written (the plan under -WhatIf).</summary>
    public static RecoveryRun Unsaved(IncidentRecord record, RecoveryPhase? from = null, RecoveryPhase? only = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new RecoveryRun(null, record, from, only);
    }

    public const string RecoveredOutcome = "Recovered";

    public string IncidentId => _record.Id;

    /// <summary>The record as last read or written.</summary>
    public IncidentRecord Record => _record;

    /// <summary>False for a run whose record is never written (-WhatIf).</summary>
    public bool IsSaved => _store is not null;

    public RecoveryPhase? From { get; }

    public RecoveryPhase? Only { get; }

    /// <summary>The phases this run takes part in, in order: all, those from <see cref="From"/>, or <see cref="Only"/>.</summary>
    public IReadOnlyList<RecoveryPhase> Phases =>
        Enum.GetValues<RecoveryPhase>().Where(Includes).ToList();

    public bool Includes(RecoveryPhase phase) =>
        Only is { } only ? phase == only : From is not { } from || phase >= from;

    public static string StepName(RecoveryPhase phase, string step)
    {
        ArgumentException.ThrowIfNullOrEmpty(step);
        return $"{phase}: {step}";
    }

    /// <summary>How the step last ended on the record, or null when it never started.</summary>
    public IncidentStep? LastAttempt(RecoveryPhase phase, string step)
    {
        var name = StepName(phase, step);
        return _record.Steps.LastOrDefault(s => s.Name == name);
    }

    /// <summary>True when the step completed in this or an earlier run (it is not run again).</summary>
    public bool IsCompleted(RecoveryPhase phase, string step) => LastAttempt(phase, step)?.Status == IncidentStepStatus.Succeeded;

    /// <summary>
    /// Starts a step and saves the record, or returns false when the step already completed. A destructive step whose
    /// last attempt started but did not complete (failed, or still running when its job died) stops the run with
    /// <c>RecoveryStepNotRepeatable</c> unless <paramref name="safeToRedo"/> says the caller has proved it safe.
    /// </summary>
    public bool Begin(RecoveryPhase phase, string step, bool destructive = false, bool safeToRedo = false)
    {
        Refresh();
        var last = LastAttempt(phase, step);
        if (last?.Status == IncidentStepStatus.Succeeded)
        {
            return false;
        }

        if (destructive && !safeToRedo && last is { Status: IncidentStepStatus.Running or IncidentStepStatus.Failed })
        {
            var how = last.Status == IncidentStepStatus.Running ? "never ended (its run was stopped)" : $"failed ({last.ErrorId ?? last.Detail})";
            throw new HotmessException("RecoveryStepNotRepeatable", FailureKind.InvalidOperation,
                $"The step '{last.Name}' of incident {_record.Id} started at {last.StartedUtc:u} and {how}. It changes the platform and is not run "
                + "a second time on its own: check what it left behind, then run again naming it as safe to redo.", last.Name);
        }

        _record.StartStep(StepName(phase, step));
        Save();
        return true;
    }

    public void Succeed(RecoveryPhase phase, string step, string? detail = null) => End(phase, step, s => s.Succeed(detail));

    public void Fail(RecoveryPhase phase, string step, string? detail, string? errorId = null) => End(phase, step, s => s.Fail(detail, errorId));

    /// <summary>Ends a started step that was not carried out (not needed, or -WhatIf); the detail says why.</summary>
    public void Skip(RecoveryPhase phase, string step, string? detail = null) => End(phase, step, s => s.Skip(detail));

    /// <summary>A fact of the recovery (e.g. the new project's ref), saved at once: a later run reads it back.</summary>
    public void SetFact(string name, string? value)
    {
        Refresh();
        _record.SetFact(name, value);
        Save();
    }

    public string? Fact(string name)
    {
        Refresh();
        return _record.Facts.Contains(name) ? _record.Facts[name] as string : null;
    }

    public void AddNote(string text)
    {
        Refresh();
        _record.AddNote(text);
        Save();
    }

    public void AddImprovement(string text)
    {
        Refresh();
        _record.AddImprovement(text);
        Save();
    }

    public void AddNextStep(string text)
    {
        Refresh();
        _record.AddNextStep(text);
        Save();
    }

    /// <summary>The newest point the recovered data reaches (the restored set's time); RPO is measured to it.</summary>
    public void SetRecoveredTo(DateTimeOffset recoveredToUtc)
    {
        Refresh();
        _record.RecoveredToUtc = recoveredToUtc;
        Save();
    }

    /// <summary>Closes the record (when still open) with the outcome and saves it; a later run opens it again unless recovered.</summary>
    public IncidentRecord Close(string outcome, string? errorId = null, string? error = null)
    {
        Refresh();
        if (_record.IsOpen)
        {
            _record.Complete(outcome, errorId, error);
            Save();
        }

        return _record;
    }

    /// <summary>Reads the record back from the repository (a command such as Close-HotmessIncident may have changed it).</summary>
    public IncidentRecord Refresh()
    {
        if (_store is not null)
        {
            _record = _store.Get(_record.Id);
        }

        return _record;
    }

    private void End(RecoveryPhase phase, string step, Action<IncidentStep> end)
    {
        Refresh();
        var name = StepName(phase, step);
        var running = _record.Steps.LastOrDefault(s => s.Name == name && s.Status == IncidentStepStatus.Running)
            ?? throw new HotmessException("RecoveryStepNotStarted", FailureKind.InvalidOperation,
                $"The step '{name}' of incident {_record.Id} is not running, so it cannot end.", name);
        end(running);
        Save();
    }

    private void Save() => _store?.Save(_record);
}
