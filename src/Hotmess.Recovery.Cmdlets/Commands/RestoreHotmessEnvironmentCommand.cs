using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Restores environment variables from an encrypted environment set into the Vercel project.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "HotmessEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = LatestSet)]
[OutputType(typeof(EnvironmentRestoreResult))]
public sealed class RestoreHotmessEnvironmentCommand : VercelCmdlet
{
    private const string LatestSet = "Latest";
    private const string InputObjectSet = "InputObject";
    private const string ByIdSet = "ById";

    /// <summary>An environment set, e.g. from Get-HotmessBackup -Kind Environment.</summary>
    [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
    public BackupSet? InputObject { get; set; }

    [Parameter(ParameterSetName = ByIdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    [Parameter(ParameterSetName = ByIdSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = LatestSet)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Only the variables whose names match (wildcards allowed); all when not given.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Name { get; set; }

    /// <summary>Only these environments of each variable; all it had when not given.</summary>
    [Parameter]
    [ValidateSet("production", "preview", "development")]
    public string[]? Target { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    [Parameter]
    public SecureString? Key { get; set; }

    [Parameter]
    public SecureString? Passphrase { get; set; }

    /// <summary>For an encrypted repository (az://, s3://, or an encrypted folder): a file holding its passphrase; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    /// <summary>Writes without asking for confirmation (-WhatIf still only shows what would be written).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var set = InputObject;
        Terminating(() => set ??= FindEnvironmentSet(ResolveRepository(Repository, Configuration), ParameterSetName == ByIdSet ? Id : null));
        EnvironmentKey key = null!;
        Terminating(() => key = EnvironmentKey.Resolve(KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile),
            ToSecret(Key), ToSecret(Passphrase), System.Environment.GetEnvironmentVariables()));

        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        var selection = new EnvironmentRestoreSelection(patterns is null ? null : name => patterns.Any(p => p.IsMatch(name)), Target);
        EnvironmentRestorePlan plan = null!;
        // A set of an encrypted repository is fetched (and authenticated) into a private cache, read, and the cache removed.
        Terminating(() => plan = WithLocalSet(set!, RepositoryKeyFile, (local, _, token) => EnvironmentRestoreEngine.PlanAsync(local, key, selection, token)));
        WriteVerbose($"Environment set {set!.Id} opened: {plan.Variables.Count} variables to restore, {plan.WithoutValue.Count} without a value.");

        foreach (var skipped in plan.WithoutValue)
        {
            WriteWarning(plan.SkipReason(skipped));
        }

        var project = VercelSettings.ProjectId;
        var chosen = plan.Variables
            .Where(v => ShouldProcessUnlessForced(Force, $"{EnvironmentRestorePlan.Describe(v)} in Vercel project '{project}'", $"Restore the value from environment set {set.Id}"))
            .ToList();
        if (chosen.Count == 0)
        {
            return;
        }

        var results = RunVercel((client, _, token) => EnvironmentRestoreEngine.RestoreAsync(plan, chosen, new VercelEnvironmentStore(client), token));
        WriteObject(results, enumerateCollection: true);
    }

    /// <summary>The set with the id, or the newest environment set, of either kind of repository.</summary>
    private BackupSet FindEnvironmentSet(RepositoryReference repository, string? id)
    {
        if (!repository.IsObjectRepository)
        {
            return EnvironmentRestoreEngine.FindSet(BackupRepository.Open(repository.Location), id);
        }

        if (id is not null)
        {
            return FindSet(repository, id, RepositoryKeyFile, includeDamaged: false);
        }

        return RunEngine(async (log, token) =>
        {
            await using var source = await OpenObjectRepositoryAsync(repository, RepositoryKeyFile, initialize: false, log, token).ConfigureAwait(false);
            return (await source.GetSetsAsync(BackupKind.Environment, log, token).ConfigureAwait(false)).FirstOrDefault()
                ?? throw new HotmessException("BackupNotFound", FailureKind.NotFound,
                    $"The repository '{repository.Location}' holds no environment set; copy one there with Copy-HotmessBackup.", repository.Location);
        });
    }
}
