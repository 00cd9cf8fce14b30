using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Incidents;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Starts the incident record of a procedure: steps, facts, notes and next steps, closed with its outcome.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "HotmessIncidentRecord")]
[OutputType(typeof(IncidentRecord))]
public sealed class NewHotmessIncidentRecordCommand : HotmessCmdlet
{
    /// <summary>A short lower-case name for the record's id and file names, e.g. credential-recovery.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The procedure of the plan the record is for.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Procedure { get; set; }

    [Parameter]
    public string? Reason { get; set; }

    /// <summary>Who carried out the procedure; the current user by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PerformedBy { get; set; }

    protected override void ProcessRecord()
    {
        IncidentRecord record = null!;
        Terminating(() => record = new IncidentRecord(Name!, Procedure!, Reason, PerformedBy ?? System.Environment.UserName));
        WriteObject(record);
    }
}
