using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Backs up a PostgreSQL database into the backup repository, with evidence taken in the same snapshot.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "HotmessDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupSet))]
public sealed class BackupHotmessDatabaseCommand : HotmessCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SecureStringAsText]
    public string? ConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>For an encrypted repository folder: a file holding its passphrase; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int? Jobs { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? CriticalTable { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludeSchema { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var repository = ResolveRepositoryPath(Repository, configuration);
        string connectionString = "";
        Terminating(() => connectionString = DatabaseConnectionParameters.Resolve(ConnectionString, Credential, configuration, WriteWarning));
        var source = ConnectionStrings.Redact(ConnectionStrings.Parse(connectionString));
        if (!ShouldProcess(repository, $"Back up the database {source}"))
        {
            return;
        }

        var request = new DatabaseBackupRequest
        {
            ConnectionString = connectionString,
            Repository = repository,
            Jobs = Jobs ?? configuration.Database.Jobs,
            CriticalTables = CriticalTable ?? configuration.Database.CriticalTables.ToArray(),
            ExcludeSchemas = ExcludeSchema ?? configuration.Database.ExcludeSchemas.ToArray(),
            Project = configuration.Platform.SupabaseProjectRef,
        };
        if (!ObjectRepositoryAddress.IsEncryptedFolder(repository))
        {
            Terminating(() => WriteObject(RunEngine((log, token) => DatabaseBackupEngine.BackupAsync(request, log, token))));
            return;
        }

        // pg_dump writes into a private staging folder beside the encrypted objects, which is encrypted in and removed.
        // The key is unlocked while pg_dump starts; a wrong or missing one stops the backup at once.
        var keyFile = RepositoryKeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(RepositoryKeyFile);
        var environment = System.Environment.GetEnvironmentVariables();
        Terminating(() => WriteObject(RunEngine(async (log, token) =>
        {
            var result = await StagedBackupEngine.BackupAsync(new StagedBackupRequest
            {
                OpenDestination = openToken => ObjectRepositoryAddress.OpenAsync(repository, keyFile, environment, initialize: false, log, openToken),
                StagingParent = repository,
                Backup = (staging, stagingLog, stagingToken) => DatabaseBackupEngine.BackupAsync(request with { Repository = staging }, stagingLog, stagingToken),
            }, log, token).ConfigureAwait(false);
            return result.Set;
        })));
    }
}
