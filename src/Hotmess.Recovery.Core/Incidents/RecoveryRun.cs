using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// A checkpointed run of a recovery procedure over an incident kept in the repository. Every step's start and end is
/// saved at once (steps are named <c>Phase: step</c>), so a run that stops — an error, a killed job, a person pressing
/// Ctrl+C — is continued by a later run of the same incident: steps that completed are skipped, and a step marked
/// destructive that started but did not complete is not run again unless it is known to be safe to redo.
/// The record is read back before every change, so notes and status page updates written by other commands in the
/// meantime are kept. A run over a record that is not kept (-WhatIf) changes nothing on disk.
/// <para>
/// With an offsite copy, every save is copied to the offsite repository as well, so the record outlives the machine
/// running the recovery: a run whose local record is gone continues from the offsite one. A copy that fails never stops
/// the recovery: it is a warning (<see cref="TakeWarnings"/>) and a note on the record, and the next save tries again
/// once <see cref="OffsiteRetryInterval"/> has passed since the failed one, so an offsite store that is down or hangs
/// costs the recovery one attempt a minute, not one per save.
/// </para>
/// </summary>
public sealed class RecoveryRun : IDisposable
{
    private readonly IncidentStore? _store;
    private readonly OffsiteIncidentCopy? _offsite;
    private readonly List<string> _warnings = [];
    private IncidentRecord _record;
    private string? _offsiteProblem;
    private DateTimeOffset _offsiteRetryAfter;

    private RecoveryRun(IncidentStore? store, IncidentRecord record, RecoveryPhase? from, RecoveryPhase? only, OffsiteIncidentCopy? offsite = null)
    {
        if (from is not null && only is not null)
        {
            throw new HotmessException("RecoveryPhaseSelectionInvalid", FailureKind.InvalidArgument,
                "Give either the phase to start from or the only phase to run, not both.", $"{from}/{only}");
        }

        _store = store;
        _offsite = offsite;
        _record = record;
        From = from;
        Only = only;
    }

    /// <summary>
    /// Continues (or starts the steps of) the incident kept under <paramref name="incidentId"/>. A record that ended
    /// unrecovered is opened again, with a note; one that was recovered is not run again. With
    /// <paramref name="offsite"/>, each save is copied there too, and an incident missing from <paramref name="store"/>
    /// is continued from its offsite copy (<see cref="ResumedFromOffsite"/>), which is saved locally again first.
    /// The run owns <paramref name="offsite"/> and disposes of it.
    /// </summary>
    public static RecoveryRun Open(IncidentStore store, string incidentId, RecoveryPhase? from = null, RecoveryPhase? only = null, OffsiteIncidentCopy? offsite = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            return OpenRun(store, incidentId, from, only, offsite);
        }
        catch
        {
            offsite?.Dispose();
            throw;
        }
    }

    private static RecoveryRun OpenRun(IncidentStore store, string incidentId, RecoveryPhase? from, RecoveryPhase? only, OffsiteIncidentCopy? offsite)
    {
        var record = Load(store, incidentId, offsite, out var fromOffsite);
        if (!record.IsOpen && string.Equals(record.Outcome, RecoveredOutcome, StringComparison.OrdinalIgnoreCase))
        {
            throw new HotmessException("RecoveryAlreadyComplete", FailureKind.InvalidOperation,
                $"The incident {record.Id} was recovered at {record.CompletedUtc:u}; a new recovery needs a new incident.", record.Id);
        }

        var run = new RecoveryRun(store, record, from, only, offsite) { ResumedFromOffsite = fromOffsite };
        if (fromOffsite)
        {
            record.AddNote($"The local record of the incident was missing; continued from its offsite copy in '{offsite!.Location}' "
                + $"({record.Steps.Count(s => s.Status == IncidentStepStatus.Succeeded)} completed step(s) kept).");
        }

        var reopened = !record.IsOpen;
        if (reopened)
        {
            record.Reopen($"Resumed after it ended {record.Outcome}{(record.ErrorId is null ? "" : $" ({record.ErrorId})")}.");
        }

        // With an offsite copy it is saved at once, so the copy exists from the run's first moment, not its first step.
        if (reopened || fromOffsite || offsite is not null)
        {
            run.Save();
        }

        return run;
    }

    /// <summary>
    /// The plan of a resume (-WhatIf): a run that is never written over the kept record, read from the offsite copy
    /// when the local one is missing.
    /// </summary>
    public static RecoveryRun Plan(IncidentStore store, string incidentId, RecoveryPhase? from = null, RecoveryPhase? only = null, OffsiteIncidentCopy? offsite = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        try
        {
            return new RecoveryRun(null, Load(store, incidentId, offsite, out var fromOffsite), from, only) { ResumedFromOffsite = fromOffsite };
        }
        finally
        {
            offsite?.Dispose();
        }
    }

    /// <summary>A run over a record that is never written (the plan under -WhatIf).</summary>
    public static RecoveryRun Unsaved(IncidentRecord record, RecoveryPhase? from = null, RecoveryPhase? only = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new RecoveryRun(null, record, from, only);
    }

    public const string RecoveredOutcome = "Recovered";

    /// <summary>How long after a failed offsite copy the saves keep to the local record before one tries the copy again.</summary>
    public static readonly TimeSpan OffsiteRetryInterval = TimeSpan.FromMinutes(1);

    public string IncidentId => _record.Id;

    /// <summary>The record as last read or written.</summary>
    public IncidentRecord Record => _record;

    /// <summary>False for a run whose record is never written (-WhatIf).</summary>
    public bool IsSaved => _store is not null;

    /// <summary>Where each save is copied, or null when the record is kept locally only.</summary>
    public string? OffsiteRepository => _offsite?.Location;

    /// <summary>True when the local record was missing and the run continues from the offsite copy.</summary>
    public bool ResumedFromOffsite { get; private init; }

    /// <summary>
    /// Warnings since the last call (an offsite copy that failed), for the caller to show: the run itself has no
    /// pipeline to write them to.
    /// </summary>
    public IReadOnlyList<string> TakeWarnings()
    {
        var taken = _warnings.ToList();
        _warnings.Clear();
        return taken;
    }

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

    public void Dispose() => _offsite?.Dispose();

    private static IncidentRecord Load(IncidentStore store, string incidentId, OffsiteIncidentCopy? offsite, out bool fromOffsite)
    {
        fromOffsite = false;
        try
        {
            return store.Get(incidentId);
        }
        catch (HotmessException ex) when (ex.ErrorId == "IncidentNotFound" && offsite is not null && incidentId.IndexOfAny(['/', '\\']) < 0)
        {
            IncidentRecord? kept;
            try
            {
                kept = offsite.Find(incidentId);
            }
            catch (Exception offsiteFailure) when (offsiteFailure is HotmessException or IOException or HttpRequestException)
            {
                throw new HotmessException("IncidentNotFound", FailureKind.NotFound,
                    $"{ex.Message} Its offsite copy in '{offsite.Location}' could not be read: {offsiteFailure.Message}", incidentId, offsiteFailure);
            }

            fromOffsite = kept is not null;
            return kept ?? throw new HotmessException("IncidentNotFound", FailureKind.NotFound,
                $"{ex.Message} The offsite repository '{offsite.Location}' has no copy of it either.", incidentId, ex);
        }
    }

    private void Save()
    {
        if (_store is null)
        {
            return;
        }

        _store.Save(_record);
        if (_offsite is null)
        {
            return;
        }

        // A change in how the copy goes is a note on the record: saved locally, and offsite when the copy works again.
        while (CopyOffsite() is { } note)
        {
            _record.AddNote(note);
            _store.Save(_record);
            if (_offsiteProblem is not null)
            {
                return;
            }
        }
    }

    /// <summary>Copies the record offsite; returns a note when the copy began failing or works again, else null.</summary>
    private string? CopyOffsite()
    {
        var now = _offsite!.Clock.GetUtcNow();
        if (_offsiteProblem is not null && now < _offsiteRetryAfter)
        {
            return null;
        }

        try
        {
            _offsite.Save(_record);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Whatever the store, the key or the network threw: the recovery goes on with its local record.
            var message = ex is HotmessException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
            var first = _offsiteProblem is null;
            _offsiteProblem = message;
            _offsiteRetryAfter = now + OffsiteRetryInterval;
            if (!first)
            {
                return null;
            }

            _warnings.Add($"The incident record could not be copied to the offsite repository '{_offsite.Location}': {message} "
                + "The recovery goes on; the copy is tried again at the next save a minute or more from now.");
            return $"The record could not be copied offsite to '{_offsite.Location}' ({message}); the copy is tried again at the next save a minute or more later.";
        }

        if (_offsiteProblem is null)
        {
            return null;
        }

        _offsiteProblem = null;
        return $"The record is copied offsite to '{_offsite.Location}' again.";
    }
}
