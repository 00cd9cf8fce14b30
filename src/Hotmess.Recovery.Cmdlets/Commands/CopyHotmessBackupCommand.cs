using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Copies backup sets to an encrypted repository (az://, s3:// or a local folder): only what the destination lacks, every byte checked on its way into the store, the manifest last.</para>
/// </summary>
[Cmdlet(VerbsCommon.Copy, "HotmessBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(BackupSet))]
public sealed class CopyHotmessBackupCommand : HotmessCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string ByIdSet = "ById";

    /// <summary>A set, e.g. from Backup-HotmessDatabase or Get-HotmessBackup.</summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    public BackupSet? InputObject { get; set; }

    [Parameter(ParameterSetName = ByIdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SetId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>The repository the sets are in; the configuration's, or the default, when not given.</summary>
    [Parameter(ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>az://container[/prefix], s3://bucket[/prefix], or a local folder; an empty one is initialised encrypted.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>A file holding the repository passphrase; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [Alias("RepositoryKeyFile")]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    /// <summary>
    /// A file holding the passphrase of an encrypted source repository, when it is not the destination's; -KeyFile
    /// (or HOTMESS_REPOSITORY_KEY) when not given.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SourceKeyFile { get; set; }

    /// <summary>Files and objects uploaded at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = BackupCopyRequest.DefaultParallelism;

    /// <summary>How long to wait for another copy or removal that holds the destination.</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(5);

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var destination = ResolveRepository(Destination, configuration);
        if (!destination.IsObjectRepository && Directory.Exists(destination.Location) && Directory.EnumerateFileSystemEntries(destination.Location).Any())
        {
            ThrowArgumentError("DestinationNotEncrypted",
                $"'{destination.Location}' is a plain local repository (or another folder); sets are copied to an encrypted repository: az://, s3://, or an empty or encrypted folder.",
                destination.Location);
        }

        var sets = new List<BackupSet>();
        if (InputObject is not null)
        {
            sets.Add(InputObject);
        }
        else
        {
            var source = ResolveRepository(Repository, configuration);
            foreach (var id in Id!)
            {
                PerItem(() => sets.Add(FindSet(source, id, SourceKeyFile ?? KeyFile, includeDamaged: false)));
            }
        }

        foreach (var set in sets)
        {
            if (!ShouldProcess(destination.Location, $"Copy backup set {set.Id} ({set.Kind}, {set.SizeBytes:N0} bytes)"))
            {
                continue;
            }

            PerItem(() =>
            {
                set.EnsureUsable();
                var result = WithLocalSet(set, SourceKeyFile ?? KeyFile, (local, log, token) => CopyAsync(local, destination, log, token));
                WriteVerbose(result.SetAlreadyThere
                    ? $"{set.Id} was complete at '{destination.Location}' already."
                    : $"{set.Id} copied to '{destination.Location}': {result.Uploaded:N0} file(s) and object(s) sent ({result.UploadedBytes:N0} bytes), {result.AlreadyThere:N0} already there.");
                WriteObject(result.Set);
            });
        }
    }

    private async Task<BackupCopyResult> CopyAsync(BackupSet set, RepositoryReference destination, IOperationLog log, CancellationToken token)
    {
        await using var repository = await OpenObjectRepositoryAsync(destination, KeyFile, initialize: true, log, token).ConfigureAwait(false);
        return await BackupCopyEngine.CopyAsync(new BackupCopyRequest
        {
            Set = set,
            Destination = repository,
            Parallelism = ThrottleLimit,
            LockTimeout = LockTimeout,
        }, log, token).ConfigureAwait(false);
    }
}
