using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Incidents;
using Hotmess.Recovery.Reports;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Writes incident records to a folder as Markdown and JSON, one file per format named after the record's id.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "HotmessIncidentRecord", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHotmessIncidentRecordCommand : HotmessCmdlet
{
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    public IncidentRecord[]? InputObject { get; set; }

    /// <summary>The folder the files are written to; created when missing.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public ReportFormat[] Format { get; set; } = [ReportFormat.Markdown, ReportFormat.Json];

    protected override void ProcessRecord()
    {
        var folder = GetUnresolvedProviderPathFromPSPath(Path);
        foreach (var record in InputObject!)
        {
            if (!ShouldProcess(System.IO.Path.Combine(folder, record.Id + ".*"), "Write the incident record"))
            {
                continue;
            }

            IReadOnlyList<string> paths = [];
            Terminating(() => paths = IncidentRecordFiles.Write(record, folder, Format));

            foreach (var path in paths)
            {
                WriteObject(new FileInfo(path));
            }
        }
    }
}
