namespace Hotmess.Recovery.Incidents;

/// <summary>Where a step of a procedure stands: still running (a record written while it runs, or a job that died), or how it ended.</summary>
public enum IncidentStepStatus
{
    Running,
    Succeeded,
    Failed,
    Skipped,
}
