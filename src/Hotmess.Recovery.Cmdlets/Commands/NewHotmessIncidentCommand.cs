using System.Management.Automation;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Opens an incident kept in the repository; optionally on the company's status page, and tells the team.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "HotmessIncident", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(IncidentRecord))]
public sealed class NewHotmessIncidentCommand : IncidentCmdlet
{
    /// <summary>What is happening, in a line: the status page incident's name and the alerts' subject.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    [Parameter]
    public AlertSeverity Severity { get; set; } = AlertSeverity.High;

    /// <summary>The scenario of the plan's Recovery Time Objectives table the incident is measured against.</summary>
    [Parameter]
    [ValidateSet(RecoveryObjective.MinorOutage, RecoveryObjective.DatabaseRestore, RecoveryObjective.FullDisaster, RecoveryObjective.SecurityBreach)]
    public string? Scenario { get; set; }

    /// <summary>A short lower-case name for the id, e.g. checkout-down.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "incident";

    /// <summary>When users were first affected, if before now; RTO is measured from here.</summary>
    [Parameter]
    public DateTimeOffset? ImpactStartedUtc { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PerformedBy { get; set; }

    /// <summary>The procedure of the plan the incident is handled by, e.g. 'Procedure 4: Complete Platform Recovery'.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Procedure { get; set; } = "Incident response";

    /// <summary>Open an incident (investigating) on the company's status page (STATUSPAGE_API_KEY, STATUSPAGE_PAGE_ID).</summary>
    [Parameter]
    public SwitchParameter StatusPage { get; set; }

    protected override void ProcessRecord()
    {
        OpenStore();
        IncidentRecord record = null!;
        Terminating(() => record = new IncidentRecord(Name, Procedure, Title, PerformedBy ?? System.Environment.UserName)
        {
            Severity = Severity.ToString(),
            Scenario = Scenario,
            ImpactStartedUtc = ImpactStartedUtc,
        });
        if (!ShouldProcess(Store.Folder, $"Open the {Severity} incident '{Title}' ({record.Id})"))
        {
            return;
        }

        Save(record);
        if (StatusPage && ShouldProcess("the status page", $"Open a status page incident '{Title}'"))
        {
            Respond(record, (responder, token) => responder.OpenStatusPageAsync(record, Title!, token));
        }

        if (Notify)
        {
            NotifyTeam(record, AlertKind.Alert, $"Incident opened: {Title}");
        }

        Save(record);
        WriteObject(record);
    }
}
