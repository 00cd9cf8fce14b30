using System.Management.Automation;
using System.Reflection;
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
        var version = typeof(ExportHotmessReportCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0];
        var by = $"{System.Environment.UserName}@{System.Environment.MachineName} (HotmessRecovery {version})";
        var report = VerificationReport.Render(_verifications, Format, now, by);
        if (Path is null)
        {
            WriteObject(report);
            return;
        }

        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (Directory.Exists(path))
        {
            path = System.IO.Path.Combine(path, $"backup-verification-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}.{(Format == ReportFormat.Json ? "json" : "md")}");
        }

        if (File.Exists(path) && !Force)
        {
            ThrowTerminatingError(new ErrorRecord(new IOException($"The report file '{path}' already exists; use -Force to overwrite it."),
                "ReportFileExists", ErrorCategory.ResourceExists, path));
        }

        if (ShouldProcess(path, "Write the backup verification report"))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            File.WriteAllText(path, report);
            WriteObject(new FileInfo(path));
        }
    }
}
