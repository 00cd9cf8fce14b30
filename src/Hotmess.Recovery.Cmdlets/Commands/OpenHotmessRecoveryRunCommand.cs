using System.Collections;
using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Repository;

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

    /// <summary>
    /// An offsite repository (az://, s3:// or an encrypted folder) every save of the record is copied to; a run whose
    /// local record is missing continues from the copy there.
    /// </summary>
    [Parameter(ParameterSetName = KeptSet)]
    [ValidateNotNullOrEmpty]
    public string? OffsiteRepository { get; set; }

    /// <summary>A file holding the offsite repository's passphrase; HOTMESS_REPOSITORY_KEY (or the Automation variable) when not given.</summary>
    [Parameter(ParameterSetName = KeptSet)]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

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
        var action = OffsiteRepository is null
            ? "Continue the recovery of the incident, saving every step"
            : $"Continue the recovery of the incident, saving every step here and in '{OffsiteRepository}'";
        if (ShouldProcess(Id!, action))
        {
            Terminating(() => run = RecoveryRun.Open(store, Id!, From, Only, OpenOffsiteCopy()));
        }
        else
        {
            // -WhatIf: the plan of a resume, over a copy of the kept record that is never written.
            Terminating(() => run = RecoveryRun.Plan(store, Id!, From, Only, OpenOffsiteCopy()));
        }

        foreach (var warning in run.TakeWarnings())
        {
            WriteWarning(warning);
        }

        if (run.ResumedFromOffsite)
        {
            WriteVerbose($"Incident {run.IncidentId}: the local record was missing; continuing from its offsite copy in '{OffsiteRepository}'.");
        }

        WriteVerbose($"Incident {run.IncidentId}: phases {string.Join(", ", run.Phases)}; {run.Record.Steps.Count(s => s.Status == IncidentStepStatus.Succeeded)} step(s) already completed.");
        WriteObject(run);
    }

    /// <summary>
    /// The offsite copy, when asked for. Its passphrase is read when first needed, from the key file or
    /// HOTMESS_REPOSITORY_KEY; inside Azure Automation that is a variable, read here on the pipeline thread.
    /// </summary>
    private OffsiteIncidentCopy? OpenOffsiteCopy()
    {
        if (OffsiteRepository is null)
        {
            return null;
        }

        var location = ObjectRepositoryAddress.IsRemote(OffsiteRepository) ? OffsiteRepository : GetUnresolvedProviderPathFromPSPath(OffsiteRepository);
        var environment = new Hashtable(System.Environment.GetEnvironmentVariables());
        if (RepositoryKeyFile is null && environment[RepositoryKeySource.EnvironmentVariable] is null
            && AutomationVariableReader() is { } automationVariable && automationVariable(RepositoryKeySource.EnvironmentVariable) is { } passphrase)
        {
            environment[RepositoryKeySource.EnvironmentVariable] = passphrase;
        }

        var keyFile = RepositoryKeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(RepositoryKeyFile);
        return OffsiteIncidentCopy.At(location, keyFile, environment);
    }
}
