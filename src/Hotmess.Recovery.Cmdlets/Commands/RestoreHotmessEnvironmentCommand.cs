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

    /// <summary>Writes without asking for confirmation (-WhatIf still only shows what would be written).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var set = InputObject;
        Terminating(() => set ??= ParameterSetName == ByIdSet
            ? BackupRepository.Open(ResolveRepositoryPath(Repository, Configuration)).GetSet(Id!)
            : LatestEnvironmentSet());
        EnvironmentKey key = null!;
        Terminating(() => key = EnvironmentKey.Resolve(KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile),
            ToSecret(Key), ToSecret(Passphrase), System.Environment.GetEnvironmentVariables()));

        IReadOnlyList<StoredVariable> variables = [];
        Terminating(() => variables = RunEngine((_, token) => EnvironmentBackupEngine.OpenAsync(set!, key, token)));
        WriteVerbose($"Environment set {set!.Id} opened: {variables.Count} variables.");

        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToList();
        var project = VercelSettings.ProjectId;
        var chosen = new List<StoredVariable>();
        foreach (var variable in variables.Where(v => patterns is null || patterns.Any(p => p.IsMatch(v.Name))))
        {
            var targets = Target is null ? variable.Targets : variable.Targets.Intersect(Target, StringComparer.Ordinal).ToList();
            if (targets.Count == 0)
            {
                continue;
            }

            if (variable.Value is null)
            {
                WriteWarning($"Environment set {set.Id} holds no value for {variable.Name} ({variable.Type}, {string.Join(", ", targets)}): Vercel did not give it back when the set was taken. Set it with Set-HotmessSecret.");
                continue;
            }

            if (ShouldProcessUnlessForced(Force, $"{variable.Name} ({variable.Type}, {string.Join(", ", targets)}) in Vercel project '{project}'",
                    $"Restore the value from environment set {set.Id}"))
            {
                chosen.Add(variable with { Targets = targets });
            }
        }

        if (chosen.Count == 0)
        {
            return;
        }

        RunVercel<bool>(async (client, _, token) =>
        {
            await new VercelEnvironmentStore(client).WriteAsync(chosen, token).ConfigureAwait(false);
            return true;
        });
        foreach (var variable in chosen)
        {
            WriteObject(new EnvironmentRestoreResult(variable.Name, variable.Targets, variable.Type, "vercel", project, set.Id));
        }
    }

    private BackupSet LatestEnvironmentSet()
    {
        var repository = BackupRepository.Open(ResolveRepositoryPath(Repository, Configuration));
        return repository.GetSets(BackupKind.Environment).FirstOrDefault()
            ?? throw new HotmessException("BackupNotFound", FailureKind.NotFound,
                $"The repository '{repository.Root}' holds no environment set; take one with Backup-HotmessEnvironment.", repository.Root);
    }
}
