using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the backup sets of a repository, newest first; a set whose manifest is damaged is listed with State Damaged and a warning.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessBackup", DefaultParameterSetName = AllSet)]
[OutputType(typeof(BackupSet))]
public sealed class GetHotmessBackupCommand : HotmessCmdlet
{
    private const string AllSet = "All";
    private const string ByIdSet = "ById";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter(ParameterSetName = AllSet)]
    public BackupKind? Kind { get; set; }

    [Parameter(ParameterSetName = ByIdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SetId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>Only the newest set (of each kind, when no kind is given).</summary>
    [Parameter(ParameterSetName = AllSet)]
    public SwitchParameter Latest { get; set; }

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
        Terminating(() => reference = ResolveRepository(Repository, configuration));
        if (reference.IsObjectRepository)
        {
            WriteObjectRepositorySets(reference);
            return;
        }

        BackupRepository? repository = null;
        Terminating(() => repository = BackupRepository.Open(ResolveRepositoryPath(Repository, configuration)));

        if (ParameterSetName == ByIdSet)
        {
            foreach (var id in Id!)
            {
                PerItem(() => Write(repository!.GetSet(id, includeDamaged: true)));
            }

            return;
        }

        Terminating(() =>
        {
            var sets = repository!.GetSets(Kind, includeDamaged: true);
            if (Latest)
            {
                sets = sets.GroupBy(s => s.Kind).Select(g => g.First());
            }

            foreach (var set in sets)
            {
                Write(set);
            }
        });
    }

    /// <summary>An encrypted repository's sets, read from their manifests alone; one whose manifest does not authenticate is named in a warning.</summary>
    private void WriteObjectRepositorySets(RepositoryReference reference)
    {
        IReadOnlyList<BackupSet> sets = [];
        var missing = new List<HotmessException>();
        Terminating(() => sets = RunEngine(async (log, token) =>
        {
            await using var repository = await OpenObjectRepositoryAsync(reference, RepositoryKeyFile, initialize: false, log, token).ConfigureAwait(false);
            if (ParameterSetName != ByIdSet)
            {
                return await repository.GetSetsAsync(Kind, log, token).ConfigureAwait(false);
            }

            var found = new List<BackupSet>();
            foreach (var id in Id!)
            {
                try
                {
                    found.Add(await repository.GetSetAsync(id, includeDamaged: true, token).ConfigureAwait(false));
                }
                catch (HotmessException ex) when (ex.ErrorId == "BackupNotFound")
                {
                    missing.Add(ex);
                }
            }

            return found;
        }));

        foreach (var ex in missing)
        {
            WriteError(ErrorRecordFor(ex));
        }

        foreach (var set in Latest ? sets.GroupBy(s => s.Kind).Select(g => g.First()) : sets)
        {
            Write(set);
        }
    }

    private void Write(BackupSet set)
    {
        if (set.State == BackupSetState.Damaged)
        {
            WriteWarning($"The backup set {set.Id} is damaged and cannot be restored: {set.Problem}");
        }

        WriteObject(set);
    }
}
