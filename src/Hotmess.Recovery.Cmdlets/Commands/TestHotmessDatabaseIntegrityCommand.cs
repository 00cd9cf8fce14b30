using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Verification;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Checks a restored database: against the own set restored, or its critical tables against the newest own set before the restore point, and recent transactions.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessDatabaseIntegrity", DefaultParameterSetName = EvidenceSet)]
[OutputType(typeof(DatabaseIntegrityCheck))]
public sealed class TestHotmessDatabaseIntegrityCommand : HotmessCmdlet
{
    private const string BackupSetName = "Backup";
    private const string EvidenceSet = "Evidence";

    /// <summary>The restored database; database.connectionString or HOTMESS_DATABASE_URL when not given. A SecureString is taken too.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SecureStringAsText]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The own set that was restored into the database.</summary>
    [Parameter(ParameterSetName = BackupSetName, Mandatory = true, ValueFromPipeline = true)]
    [Alias("InputObject")]
    public BackupSet? Backup { get; set; }

    /// <summary>Where the newest own set before the restore point is looked for; the configuration's repository when not given.</summary>
    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    [Parameter(ParameterSetName = EvidenceSet)]
    [ValidateNotNullOrEmpty]
    public string[]? CriticalTable { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TransactionTable { get; set; } = "public.marketplace_order";

    [Parameter]
    public DateTimeOffset? RestorePoint { get; set; }

    /// <summary>The recovery point objective in hours; the plan's is 24.</summary>
    [Parameter]
    [ValidateRange(0.01, 8760)]
    public double? MaxAgeHours { get; set; }

    /// <summary>With -Backup: a table the set does not hold passes as new (created by a migration after the restore).</summary>
    [Parameter(ParameterSetName = BackupSetName)]
    public SwitchParameter AllowNewTable { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int? Jobs { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        string connectionString = "";
        Terminating(() => connectionString = DatabaseConnectionParameters.Resolve(ConnectionString, Credential, configuration, WriteWarning));
        var point = RestorePoint ?? Backup?.StartedUtc ?? DateTimeOffset.UtcNow;
        var request = new DatabaseIntegrityRequest
        {
            ConnectionString = connectionString,
            Set = Backup,
            Evidence = Backup is null ? FindEvidence(configuration, point) : null,
            CriticalTables = Backup is null ? CriticalTable ?? configuration.Database.CriticalTables.ToArray() : [],
            TransactionTable = TransactionTable,
            RestorePoint = point,
            RecoveryPointObjective = TimeSpan.FromHours(MaxAgeHours ?? configuration.Objectives.RpoHours),
            Jobs = Jobs ?? configuration.Database.Jobs,
            AllowNewTables = AllowNewTable,
        };
        Terminating(() => WriteObject(RunEngine((log, token) => DatabaseIntegrityEngine.CheckAsync(request, log, token)), enumerateCollection: true));
    }

    /// <summary>
    /// The newest own database set taken at or before <paramref name="point"/>. A repository named by -Repository must be
    /// readable; the configured one may be absent, and then the critical tables are checked without own evidence.
    /// </summary>
    private BackupSet? FindEvidence(HotmessConfiguration configuration, DateTimeOffset point)
    {
        var reference = ResolveRepository(Repository, configuration);
        IReadOnlyList<BackupSet> sets = [];
        try
        {
            sets = reference.IsObjectRepository
                ? RunEngine(async (log, token) =>
                {
                    await using var repository = await OpenObjectRepositoryAsync(reference, RepositoryKeyFile, initialize: false, log, token).ConfigureAwait(false);
                    return (IReadOnlyList<BackupSet>)(await repository.GetSetsAsync(BackupKind.Database, log, token).ConfigureAwait(false)).ToList();
                })
                : BackupRepository.Open(reference.Location).GetSets(BackupKind.Database).ToList();
        }
        catch (HotmessException ex) when (Repository is null)
        {
            WriteWarning($"No own evidence: the repository {reference.Location} cannot be read ({ex.Message}). The critical tables are only checked to be there.");
        }
        catch (HotmessException ex)
        {
            ThrowTerminatingError(ErrorRecordFor(ex));
        }

        var evidence = DatabaseIntegrityEngine.NewestEvidence(sets, point);
        WriteVerbose(evidence is null
            ? $"{reference.Location} holds no database set taken before {point:u}: the critical tables are checked without own evidence."
            : $"Own evidence: {evidence.Id}, taken {evidence.StartedUtc:u}, the newest database set of {reference.Location} before {point:u}.");
        return evidence;
    }
}
