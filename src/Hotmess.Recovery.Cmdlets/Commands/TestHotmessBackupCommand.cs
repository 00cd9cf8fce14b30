using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Verifies a backup set: every file against its manifest and, with -RestoreTo, a real restore compared with the evidence.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(BackupVerification))]
public sealed class TestHotmessBackupCommand : HotmessCmdlet
{
    private const string InputObjectSet = "InputObject";
    private const string ByIdSet = "ById";

    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    public BackupSet? InputObject { get; set; }

    [Parameter(ParameterSetName = ByIdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    [Parameter(ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>A scratch database (connection string) to restore a database set into; it is dropped afterwards.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? RestoreTo { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int? Jobs { get; set; }

    /// <summary>The recovery point objective in hours; the plan's is 24.</summary>
    [Parameter]
    [ValidateRange(0.01, 8760)]
    public double? MaxAgeHours { get; set; }

    /// <summary>For a storage set: the share of objects (percent) whose content is re-hashed.</summary>
    [Parameter]
    [ValidateRange(0.01, 100)]
    public double Sample { get; set; } = 100;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        BackupRepository? repository = null;
        var set = InputObject;
        Terminating(() =>
        {
            repository = BackupRepository.Open(set?.Repository ?? ResolveRepositoryPath(Repository, configuration));
            set ??= repository.GetSet(Id!, includeDamaged: true);
        });

        if (RestoreTo is not null && set!.Kind != BackupKind.Database)
        {
            ThrowArgumentError("RestoreToNeedsDatabaseSet", $"-RestoreTo restores database sets; '{set.Id}' is a {set.Kind} set.", set);
        }

        var action = RestoreTo is null ? "Check every file against the manifest" : $"Restore into the scratch database {ConnectionStrings.Redact(ConnectionStrings.Parse(RestoreTo))}, compare, then drop it";
        if (!ShouldProcess(set!.Id, action))
        {
            return;
        }

        var previous = repository!.GetSets(set.Kind).SkipWhile(s => s.Id != set.Id).Skip(1).FirstOrDefault();
        var jobs = Jobs ?? configuration.Database.Jobs;
        PerItem(() =>
        {
            var verification = set.State == BackupSetState.Damaged ? BackupVerification.ForDamagedSet(set) : RunEngine((log, token) => set.Kind switch
            {
                BackupKind.Database => DatabaseVerifier.VerifyAsync(new DatabaseVerificationRequest
                {
                    Set = set,
                    RestoreTo = RestoreTo,
                    Jobs = jobs,
                    PreviousSet = previous,
                    RecoveryPointObjective = TimeSpan.FromHours(MaxAgeHours ?? configuration.Objectives.RpoHours),
                }, log, token),
                BackupKind.Storage => StorageVerifier.VerifyAsync(set, Sample, log, token),
                _ => VerifyFilesAsync(set, jobs, log, token),
            });
            repository.SaveVerification(verification);
            WriteVerbose($"Recorded the verification of {set.Id} in '{verification.RecordPath}'.");
            WriteObject(verification);
        });
    }

    private static async Task<BackupVerification> VerifyFilesAsync(BackupSet set, int jobs, IOperationLog log, CancellationToken token)
    {
        var verification = new BackupVerification { SetId = set.Id, Kind = set.Kind, Repository = set.Repository, StartedUtc = DateTimeOffset.UtcNow, Manifest = set.Manifest };
        await PayloadVerifier.CheckFilesAsync(set, verification, jobs, log, token).ConfigureAwait(false);
        verification.CompletedUtc = DateTimeOffset.UtcNow;
        return verification;
    }
}
