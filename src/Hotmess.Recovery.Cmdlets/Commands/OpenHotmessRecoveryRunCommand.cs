using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Incidents;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Opens the checkpointed run of a recovery over an incident kept in the repository: completed steps are skipped, a destructive step that did not complete is not repeated.</para>
/// </summary>
[Cmdlet(VerbsCommon.Open, "HotmessRecoveryRun", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = KeptSet)]
[OutputType(typeof(RecoveryRun))]
public sealed class OpenHotmessRecoveryRunCommand : HotmessCmdlet
{
    private const string KeptSet = "Kept";
    private const string UnsavedSet = "Unsaved";

    /// <summary>The incident's id, e.g. piped from New-HotmessIncident.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = KeptSet)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>A record that is never written: the run plans only (a runbook's -WhatIf).</summary>
    [Parameter(Mandatory = true, ParameterSetName = UnsavedSet)]
    [ValidateNotNull]
    public IncidentRecord? Record { get; set; }

    /// <summary>Run this phase and the ones after it.</summary>
    [Parameter]
    public RecoveryPhase? From { get; set; }

    /// <summary>Run this phase alone.</summary>
    [Parameter]
    public RecoveryPhase? Only { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = KeptSet)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter(ParameterSetName = KeptSet)]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        RecoveryRun run = null!;
        if (ParameterSetName == UnsavedSet)
        {
            Terminating(() => run = RecoveryRun.Unsaved(Record!, From, Only));
            WriteObject(run);
            return;
        }

        var store = new IncidentStore(ResolveRepositoryPath(Repository, LoadConfiguration(ConfigurationPath)));
        if (ShouldProcess(Id!, "Continue the recovery of the incident, saving every step"))
        {
            Terminating(() => run = RecoveryRun.Open(store, Id!, From, Only));
        }
        else
        {
            // -WhatIf: the plan of a resume, over a copy of the kept record that is never written.
            Terminating(() => run = RecoveryRun.Unsaved(store.Get(Id!), From, Only));
        }

        WriteVerbose($"Incident {run.IncidentId}: phases {string.Join(", ", run.Phases)}; {run.Record.Steps.Count(s => s.Status == IncidentStepStatus.Succeeded)} step(s) already completed.");
        WriteObject(run);
    }
}
