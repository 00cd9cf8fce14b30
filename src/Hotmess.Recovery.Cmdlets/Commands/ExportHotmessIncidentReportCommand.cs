using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Incidents;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Writes the post-incident report of an incident: timeline, measured RTO/RPO against the plan's objectives, actions, improvements.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "HotmessIncidentReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportHotmessIncidentReportCommand : HotmessCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>The folder the reports are written to; created when missing.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public IncidentReportFormat[] Format { get; set; } = [IncidentReportFormat.Markdown, IncidentReportFormat.Html];

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var repository = ResolveRepositoryPath(Repository, configuration);
        var folder = GetUnresolvedProviderPathFromPSPath(Path);
        IncidentRecord record = null!;
        Terminating(() => record = new IncidentStore(repository).Get(Id!));
        foreach (var format in Format.Distinct())
        {
            var file = System.IO.Path.Combine(folder, $"{record.Id}-report.{IncidentReport.Extension(format)}");
            if (!ShouldProcess(file, "Write the incident report"))
            {
                continue;
            }

            Terminating(() =>
            {
                try
                {
                    Directory.CreateDirectory(folder);
                    File.WriteAllText(file, IncidentReport.Render(record, configuration.Objectives, format));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new HotmessException("IncidentReportWriteFailed", FailureKind.InvalidOperation, $"The report could not be written to '{file}': {ex.Message}", file, ex);
                }
            });
            WriteObject(new FileInfo(file));
        }
    }
}
