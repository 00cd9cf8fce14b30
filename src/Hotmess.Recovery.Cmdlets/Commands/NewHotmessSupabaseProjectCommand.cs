using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Supabase;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Creates a Supabase project, waits until it is ACTIVE_HEALTHY, and outputs its URL, database connection and keys as SecureStrings.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "HotmessSupabaseProject", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(NewSupabaseProject))]
public sealed class NewHotmessSupabaseProjectCommand : HotmessCmdlet
{
    private const string OrganizationSetting = "SUPABASE_ORGANIZATION_ID";
    private const string RegionSetting = "SUPABASE_REGION";

    /// <summary>The new project's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The organization's slug; the configuration's supabase.organizationId, else SUPABASE_ORGANIZATION_ID.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? OrganizationId { get; set; }

    /// <summary>The region, e.g. eu-west-2; the configuration's supabase.region, else SUPABASE_REGION, else Supabase chooses.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Region { get; set; }

    /// <summary>The password of the project's postgres role; a strong random one is generated when not given.</summary>
    [Parameter]
    public SecureString? DatabasePassword { get; set; }

    /// <summary>How long to wait for ACTIVE_HEALTHY.</summary>
    [Parameter]
    [ValidateRange(1, 1440)]
    public int TimeoutMinutes { get; set; } = 15;

    /// <summary>How often the project's status is read while it comes up.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int PollIntervalSeconds { get; set; } = 10;

    /// <summary>A Supabase personal access token; SUPABASE_ACCESS_TOKEN when not given.</summary>
    [Parameter]
    public SecureString? AccessToken { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        SupabaseManagementConnection? connection = null;
        Terminating(() => connection = SupabaseManagementConnection.ResolveAccount(configuration, System.Environment.GetEnvironmentVariables(), ToSecret(AccessToken)));
        var organization = OrganizationId ?? configuration.Supabase.OrganizationId ?? ReadSetting(OrganizationSetting);
        if (string.IsNullOrWhiteSpace(organization))
        {
            ThrowArgumentError("SupabaseOrganizationMissing",
                $"No Supabase organization for the new project: pass -OrganizationId, set supabase.organizationId in the configuration, or {OrganizationSetting}.", null);
        }

        var request = new NewSupabaseProjectRequest
        {
            Name = Name!,
            OrganizationId = organization!.Trim(),
            Region = (Region ?? configuration.Supabase.Region ?? ReadSetting(RegionSetting))?.Trim() is { Length: > 0 } region ? region : null,
            DatabasePassword = ToSecret(DatabasePassword),
            Timeout = TimeSpan.FromMinutes(TimeoutMinutes),
            PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds),
            ProjectUrlTemplate = configuration.Supabase.ProjectUrlTemplate,
            DatabaseConnectionTemplate = configuration.Supabase.DatabaseConnectionTemplate,
        };
        Terminating(() => SupabaseProjectCreationEngine.Validate(request));
        var target = $"Supabase project '{request.Name}' in organization {request.OrganizationId}, region {request.Region ?? "chosen by Supabase"}";
        WriteVerbose($"{target}, through {connection!.ApiUrl}.");
        if (!ShouldProcess(target, "Create"))
        {
            return;
        }

        NewSupabaseProject? created = null;
        Terminating(() => created = RunEngine(async (log, token) =>
        {
            // Each request's pipeline times its attempts; a whole-client timer would cut its retries short.
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var account = SupabaseManagementClient.ForAccount(http, connection.ApiUrl, connection.AccessToken, log);
            return await new SupabaseProjectCreationEngine(account, TimeProvider.System, log).CreateAsync(request, token).ConfigureAwait(false);
        }));
        WriteObject(created);
    }

    /// <summary>A setting through Get-HotmessSetting: the Automation variable inside a job, else the environment.</summary>
    private string? ReadSetting(string name)
    {
        var results = InvokeCommand.InvokeScript(false, ScriptBlock.Create("param($Name) Get-HotmessSetting -Name $Name -ErrorAction SilentlyContinue"), null, name);
        var value = results.Count == 0 ? null : results[^1]?.BaseObject as string;
        if (value is not null)
        {
            WriteVerbose($"{name} from Get-HotmessSetting: {value}.");
        }

        return value;
    }
}
