using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Settings;

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

    /// <summary>
    /// Values that replace the set's (a new project's URL and keys) or fill those Vercel never gave back: name →
    /// string or SecureString.
    /// </summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Value { get; set; }

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

        // Under -WhatIf nobody is asked and nothing stops: the names still missing are listed instead.
        var whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound)
            ? LanguagePrimitives.IsTrue(bound)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
        var sources = new EnvironmentValueSources
        {
            Given = GivenValues(),
            Setting = SettingReader(),
            Prompt = whatIf || !CanPrompt() ? null : PromptFor,
        };
        Terminating(() => plan = plan.Complete(sources, allowMissing: whatIf));
        foreach (var variable in plan.Variables.DistinctBy(v => v.Name).Where(v => plan.SourceOf(v.Name) != EnvironmentValueSource.EnvironmentSet))
        {
            WriteVerbose($"{variable.Name}: the value {SourceText(plan.SourceOf(variable.Name))}.");
        }

        foreach (var missing in plan.WithoutValue)
        {
            WriteWarning(plan.MissingReason(missing));
        }

        var project = VercelSettings.ProjectId;
        var chosen = plan.Variables
            .Where(v => ShouldProcessUnlessForced(Force, $"{EnvironmentRestorePlan.Describe(v)} in Vercel project '{project}'",
                plan.SourceOf(v.Name) == EnvironmentValueSource.EnvironmentSet
                    ? $"Restore the value from environment set {set.Id}"
                    : $"Write the value {SourceText(plan.SourceOf(v.Name))} (environment set {set.Id})"))
            .ToList();
        if (chosen.Count == 0)
        {
            return;
        }

        var results = RunVercel((client, _, token) => EnvironmentRestoreEngine.RestoreAsync(plan, chosen, new VercelEnvironmentStore(client), token));
        WriteObject(results, enumerateCollection: true);
    }

    /// <summary>-Value as secrets; a value that is not a non-empty string or SecureString is a terminating error.</summary>
    private Dictionary<string, Secret> GivenValues()
    {
        var given = new Dictionary<string, Secret>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Value ?? [])
        {
            var name = LanguagePrimitives.ConvertTo<string>(entry.Key);
            var secret = (entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value) switch
            {
                string text => Secret.FromNullable(text),
                SecureString secure => ToSecret(secure),
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(name) || secret is null)
            {
                ThrowArgumentError("EnvironmentValueInvalid",
                    $"-Value '{name}' must name a variable and give a non-empty string or SecureString.", name);
            }

            if (!given.TryAdd(name, secret!))
            {
                ThrowArgumentError("EnvironmentValueInvalid", $"-Value names '{name}' more than once.", name);
            }
        }

        return given;
    }

    /// <summary>A setting of the variable's name, as Get-HotmessSetting reads it: the Automation variable, else the environment.</summary>
    private Func<string, Secret?> SettingReader()
    {
        var automationVariable = AutomationVariableReader();
        var environment = System.Environment.GetEnvironmentVariables();
        return name => RunbookSettings.Resolve([name], automationVariable, environment, required: false) is [var setting, ..] ? setting.Value : null;
    }

    /// <summary>
    /// A person can be asked only in a console with a keyboard: not in Azure Automation or another host without
    /// a console, not under pwsh -NonInteractive, not with input redirected.
    /// </summary>
    private bool CanPrompt() =>
        Host?.UI is not null && Host.Name == "ConsoleHost" && System.Environment.UserInteractive && !Console.IsInputRedirected &&
        !System.Environment.GetCommandLineArgs().Skip(1).Any(IsNonInteractiveSwitch);

    private static bool IsNonInteractiveSwitch(string argument) =>
        argument.Length >= 5 && "-noninteractive".StartsWith(argument.ToLowerInvariant().Replace("--", "-", StringComparison.Ordinal), StringComparison.Ordinal);

    private Secret? PromptFor(StoredVariable variable)
    {
        Host.UI.Write($"{EnvironmentRestorePlan.Describe(variable)} has no value in the environment set; type it (hidden, empty to stop): ");
        var typed = Host.UI.ReadLineAsSecureString();
        return typed is null ? null : Secret.FromNullable(new NetworkCredential(string.Empty, typed).Password);
    }

    private static string SourceText(EnvironmentValueSource source) => source switch
    {
        EnvironmentValueSource.Given => "given with -Value",
        EnvironmentValueSource.Setting => "from the Azure Automation variable or environment variable of that name",
        EnvironmentValueSource.Prompt => "typed in",
        _ => "from the environment set",
    };

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
