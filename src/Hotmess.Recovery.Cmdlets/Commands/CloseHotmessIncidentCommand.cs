using System.Management.Automation;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Incidents;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Closes an incident kept in the repository with its outcome; resolves its status page incident and tells the team.</para>
/// </summary>
[Cmdlet(VerbsCommon.Close, "HotmessIncident", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IncidentRecord))]
public sealed class CloseHotmessIncidentCommand : IncidentCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Outcome { get; set; } = "Resolved";

    /// <summary>The newest point the recovered data reaches (e.g. the restored backup's time); RPO is measured to it.</summary>
    [Parameter]
    public DateTimeOffset? RecoveredToUtc { get; set; }

    /// <summary>What the status page and the team are told; a line naming the outcome by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Message { get; set; }

    protected override void ProcessRecord()
    {
        OpenStore();
        var record = Load(Id!);
        if (!ShouldProcess(record.Id, $"Close the incident as {Outcome}"))
        {
            return;
        }

        var message = Message ?? $"{record.Reason}: {Outcome}.";
        record.RecoveredToUtc = RecoveredToUtc ?? record.RecoveredToUtc;
        Terminating(() => record.Complete(Outcome));
        Save(record);
        if (record.StatusPageIncidentId is not null)
        {
            Respond(record, (responder, token) => responder.UpdateStatusPageAsync(record, "resolved", message, token));
        }

        if (Notify)
        {
            NotifyTeam(record, AlertKind.Resolved, message);
        }

        Save(record);
        WriteObject(record);
    }
}
