using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Restores a database backup set into a PostgreSQL database with pg_restore, and compares row counts with the manifest.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "HotmessDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(DatabaseRestoreResult))]
public sealed class RestoreHotmessDatabaseCommand : HotmessCmdlet
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

    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [SecureStringAsText]
    public string? TargetConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? TargetCredential { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int? Jobs { get; set; }

    /// <summary>
    /// Replace a target database that holds objects, and do not ask for confirmation: the set is restored into a new
    /// database, checked, and swapped in by name; the database as it was is kept under a dated name.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>For an encrypted repository (az://, s3://, or an encrypted folder): a file holding its passphrase; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    /// <summary>
    /// What the target is: Supabase (a hosted project: user schemas and user rows only) or PostgreSQL (the dump as it
    /// is); by default told from the target itself.
    /// </summary>
    [Parameter]
    public DatabaseTargetKind TargetKind { get; set; } = DatabaseTargetKind.Auto;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var set = InputObject;
        if (set is null)
        {
            Terminating(() => set = FindSet(ResolveRepository(Repository, configuration), Id!, RepositoryKeyFile, includeDamaged: false));
        }

        string target = "";
        Terminating(() => target = DatabaseConnectionParameters.Resolve(TargetConnectionString, TargetCredential, configuration, WriteWarning));
        var described = ConnectionStrings.Redact(ConnectionStrings.Parse(target));
        if (!ShouldProcessUnlessForced(Force, described, $"Restore backup set {set!.Id}; a database that holds objects is replaced and kept under a dated name"))
        {
            return;
        }

        var request = new DatabaseRestoreRequest
        {
            Set = set,
            TargetConnectionString = target,
            Jobs = Jobs ?? configuration.Database.Jobs,
            Force = Force,
            TargetKind = TargetKind,
        };
        PerItem(() =>
        {
            // A set of an encrypted repository is fetched (and authenticated) into a private cache first.
            var result = WithLocalSet(set, RepositoryKeyFile, (local, log, token) => DatabaseRestoreEngine.RestoreAsync(request with { Set = local }, log, token));
            if (!result.RowCountsMatch)
            {
                var differing = string.Join(", ", result.Comparison.Where(c => !c.Matches).Take(10).Select(c => $"{c.Table} ({c.Expected?.ToString() ?? "none"} expected, {c.Actual?.ToString() ?? "none"} restored)"));
                WriteWarning($"Restored row counts differ from the manifest of {set.Id}: {differing}");
            }

            if (result.TargetKind == DatabaseTargetKind.Supabase && result.Skipped.Count > 0)
            {
                WriteWarning($"Left out of the restore into Supabase: {result.Skipped.Count} item(s) of the dump (managed-schema objects, owners, refused objects); "
                             + "the result's Skipped property lists each with its reason.");
            }

            WriteObject(result);
        });
    }
}
