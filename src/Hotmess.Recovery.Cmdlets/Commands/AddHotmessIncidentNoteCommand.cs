using System.Management.Automation;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Incidents;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Adds a note (or an improvement, or a next step) to an incident kept in the repository; optionally updates the status page and tells the team.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "HotmessIncidentNote", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(IncidentRecord))]
public sealed class AddHotmessIncidentNoteCommand : IncidentCmdlet
{
    /// <summary>The incident's id, e.g. piped from New-HotmessIncident.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Text { get; set; }

    /// <summary>Record the text as an improvement for the report rather than a line on the timeline.</summary>
    [Parameter]
    public SwitchParameter Improvement { get; set; }

    /// <summary>Record the text as something a person still has to do.</summary>
    [Parameter]
    public SwitchParameter NextStep { get; set; }

    /// <summary>Post the text to the incident's status page incident with this status.</summary>
    [Parameter]
    [ValidateSet("investigating", "identified", "monitoring")]
    public string? StatusPageStatus { get; set; }

    protected override void ProcessRecord()
    {
        OpenStore();
        var record = Load(Id!);
        if (!ShouldProcess(record.Id, Improvement ? "Add an improvement" : NextStep ? "Add a next step" : "Add a note"))
        {
            return;
        }

        if (!record.IsOpen && !Improvement && !NextStep)
        {
            ThrowArgumentError("IncidentAlreadyClosed", $"The incident {record.Id} is closed ({record.Outcome}); add improvements or next steps to it, not notes.", record.Id);
        }

        if (Improvement)
        {
            record.AddImprovement(Text!);
        }
        else if (NextStep)
        {
            record.AddNextStep(Text!);
        }
        else
        {
            record.AddNote(Text!);
        }

        Save(record);
        if (StatusPageStatus is not null)
        {
            Respond(record, (responder, token) => responder.UpdateStatusPageAsync(record, StatusPageStatus, Text!, token));
        }

        if (Notify)
        {
            NotifyTeam(record, AlertKind.Reminder, Text!);
        }

        Save(record);
        WriteObject(record);
    }
}
