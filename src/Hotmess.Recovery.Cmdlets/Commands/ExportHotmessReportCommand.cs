using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Reports;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Exports verifications as the plan's Backup Verification Checklist, filled in from evidence, and recovery drills as an HTML page with their RTO and RPO charted against the objectives.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "HotmessReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = VerificationSet)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ExportHotmessReportCommand : HotmessCmdlet
{
    private const string VerificationSet = "Verification";
    private const string DrillSet = "Drill";

    private readonly List<BackupVerification> _verifications = new();
    private readonly List<DrillRecord> _drills = new();

    [Parameter(ParameterSetName = VerificationSet, Mandatory = true, ValueFromPipeline = true)]
    public BackupVerification[]? InputObject { get; set; }

    /// <summary>Drills from Get-HotmessDrill or Invoke-HotmessRecoveryDrill; rendered as HTML by default.</summary>
    [Parameter(ParameterSetName = DrillSet, Mandatory = true, ValueFromPipeline = true)]
    public DrillRecord[]? Drill { get; set; }

    /// <summary>Markdown (the default for verifications) or Json; Html (the default for drills) only for drills.</summary>
    [Parameter(Position = 0)]
    public ReportFormat? Format { get; set; }

    /// <summary>A file, or a folder to write a dated file into; without it the report is written to the pipeline.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == DrillSet)
        {
            _drills.AddRange(Drill!);
        }
        else
        {
            _verifications.AddRange(InputObject!);
        }
    }

    protected override void EndProcessing()
    {
        var now = DateTimeOffset.UtcNow;
        var drills = ParameterSetName == DrillSet;
        var format = Format ?? (drills ? ReportFormat.Html : ReportFormat.Markdown);
        if (!drills && format == ReportFormat.Html)
        {
            ThrowArgumentError("ReportFormatUnsupported", "Verifications are exported as Markdown or Json; Html renders recovery drills (pipe Get-HotmessDrill).", format);
        }

        if (drills && format == ReportFormat.Markdown)
        {
            ThrowArgumentError("ReportFormatUnsupported", "Drills are exported as Html or Json; each drill's Markdown report is at its ReportPath.", format);
        }

        var report = drills
            ? format == ReportFormat.Json ? Json.Serialize(_drills) : DrillHistoryReport.RenderHtml(_drills, now, ReportFiles.PerformedBy())
            : VerificationReport.Render(_verifications, format, now, ReportFiles.PerformedBy());
        if (Path is null)
        {
            WriteObject(report);
            return;
        }

        var path = string.Empty;
        Terminating(() => path = ReportFiles.Resolve(GetUnresolvedProviderPathFromPSPath(Path), format, now, Force, drills ? "recovery-drills" : null));
        if (ShouldProcess(path, drills ? "Write the recovery drill report" : "Write the backup verification report"))
        {
            Terminating(() => ReportFiles.Write(path, report));
            WriteObject(new FileInfo(path));
        }
    }
}
