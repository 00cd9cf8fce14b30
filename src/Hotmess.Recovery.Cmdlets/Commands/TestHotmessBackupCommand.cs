using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Verification;

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

    /// <summary>A scratch database (connection string) that does not exist yet: created, restored into, compared, then dropped.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [SecureStringAsText]
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

    /// <summary>For an encrypted repository (az://, s3://, or an encrypted folder): a file holding its passphrase; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        RepositoryReference reference = null!;
        Terminating(() => reference = InputObject is not null ? RepositoryReference.Of(InputObject.Repository) : ResolveRepository(Repository, configuration));
        if (reference.IsObjectRepository)
        {
            VerifyInObjectRepository(reference, configuration);
            return;
        }

        BackupVerificationRequest request = null!;
        Terminating(() =>
        {
            var repository = BackupRepository.Open(InputObject?.Repository ?? ResolveRepositoryPath(Repository, configuration));
            request = new BackupVerificationRequest
            {
                Repository = repository,
                Set = InputObject ?? repository.GetSet(Id!, includeDamaged: true),
                RestoreTo = RestoreTo,
                Jobs = Jobs ?? configuration.Database.Jobs,
                RecoveryPointObjective = TimeSpan.FromHours(MaxAgeHours ?? configuration.Objectives.RpoHours),
                SamplePercent = Sample,
            };
            BackupVerificationEngine.Validate(request);
        });

        var action = RestoreTo is null
            ? "Check every file against the manifest"
            : $"Create the scratch database {ConnectionStrings.Redact(ConnectionStrings.Parse(RestoreTo))}, restore into it, compare, then drop it";
        if (!ShouldProcess(request.Set.Id, action))
        {
            return;
        }

        PerItem(() => WriteObject(RunEngine((log, token) => BackupVerificationEngine.VerifyAsync(request, log, token))));
    }

    /// <summary>
    /// A set of an encrypted repository: fetched into a private cache (what does not authenticate becomes a failed
    /// check naming it), verified there, and the verification recorded in that repository.
    /// </summary>
    private void VerifyInObjectRepository(RepositoryReference reference, HotmessConfiguration configuration)
    {
        BackupVerificationRequest RequestFor(BackupRepository cache, BackupSet set) => new()
        {
            Repository = cache,
            Set = set,
            RestoreTo = RestoreTo,
            Jobs = Jobs ?? configuration.Database.Jobs,
            RecoveryPointObjective = TimeSpan.FromHours(MaxAgeHours ?? configuration.Objectives.RpoHours),
            SamplePercent = Sample,
        };

        if (InputObject is not null)
        {
            Terminating(() => BackupVerificationEngine.Validate(RequestFor(null!, InputObject)));
        }

        var id = InputObject?.Id ?? Id!;
        var action = RestoreTo is null
            ? "Fetch and authenticate every file, and check it against the manifest"
            : $"Fetch and authenticate every file, create the scratch database {ConnectionStrings.Redact(ConnectionStrings.Parse(RestoreTo))}, restore into it, compare, then drop it";
        if (!ShouldProcess(id, action))
        {
            return;
        }

        PerItem(() => WriteObject(RunEngine(async (log, token) =>
        {
            await using var repository = await OpenObjectRepositoryAsync(reference, RepositoryKeyFile, initialize: false, log, token).ConfigureAwait(false);
            var set = InputObject ?? await repository.GetSetAsync(id, includeDamaged: true, token).ConfigureAwait(false);
            return await ObjectRepositoryVerifier.VerifyAsync(repository, set, RequestFor, log, token).ConfigureAwait(false);
        })));
    }
}
