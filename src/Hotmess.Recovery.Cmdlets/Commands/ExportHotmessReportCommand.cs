using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Reports;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Exports verifications as the plan's Backup Verification Checklist, filled in from evidence.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "HotmessReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(string), typeof(FileInfo))]
public sealed class ExportHotmessReportCommand : HotmessCmdlet
{
    private readonly List<BackupVerification> _verifications = new();

    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public BackupVerification[]? InputObject { get; set; }

    [Parameter(Position = 0)]
    public ReportFormat Format { get; set; } = ReportFormat.Markdown;

    /// <summary>A file, or a folder to write a dated file into; without it the report is written to the pipeline.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Overwrite an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord() => _verifications.AddRange(InputObject!);

    protected override void EndProcessing()
    {
        var now = DateTimeOffset.UtcNow;
        var report = VerificationReport.Render(_verifications, Format, now, ReportFiles.PerformedBy());
        if (Path is null)
        {
            WriteObject(report);
            return;
        }

        var path = string.Empty;
        Terminating(() => path = ReportFiles.Resolve(GetUnresolvedProviderPathFromPSPath(Path), Format, now, Force));
        if (ShouldProcess(path, "Write the backup verification report"))
        {
            Terminating(() => ReportFiles.Write(path, report));
            WriteObject(new FileInfo(path));
        }
    }
}
