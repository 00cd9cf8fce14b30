using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Logs;
using Hotmess.Recovery.Platform;
using Hotmess.Recovery.Platform.Supabase;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Stores the Supabase project's auth and API gateway logs in the repository as a set of kind Log, continuing from the last log set.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "HotmessLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupSet))]
public sealed class BackupHotmessLogCommand : HotmessCmdlet
{
    private const string DefaultManagementUrl = "https://api.supabase.com";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Where the first log set starts when the repository has none (Supabase keeps 7 days); later sets continue from the last.</summary>
    [Parameter]
    public DateTime? From { get; set; }

    /// <summary>Where this set ends; five minutes ago by default, so rows still being ingested wait for the next run.</summary>
    [Parameter]
    public DateTime? Until { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Source { get; set; } = ["auth_logs", "edge_logs"];

    [Parameter]
    [ValidatePattern("^[a-z]{20}$")]
    public string? ProjectRef { get; set; }

    /// <summary>A Supabase Management API token; SUPABASE_ACCESS_TOKEN when not given.</summary>
    [Parameter]
    public SecureString? AccessToken { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var settings = IntegrationSettings.Resolve(configuration, System.Environment.GetEnvironmentVariables(), new IntegrationSettings
        {
            SupabaseAccessToken = ToSecret(AccessToken),
            SupabaseProjectRef = ProjectRef,
        });
        if (settings.SupabaseAccessToken is null)
        {
            ThrowArgumentError("SupabaseAccessTokenMissing", "No Supabase Management API token: give -AccessToken or set SUPABASE_ACCESS_TOKEN.", null);
        }

        if (settings.SupabaseProjectRef is null)
        {
            ThrowArgumentError("SupabaseProjectRefMissing", "No Supabase project: give -ProjectRef or set platform.supabaseProjectRef (or storage.supabaseUrl) in hotmess.json.", null);
        }

        var repository = ResolveRepositoryPath(Repository, configuration);
        RefuseEncryptedRepository(repository);
        if (!ShouldProcess(repository, $"Store the {string.Join(" and ", Source)} of Supabase project {settings.SupabaseProjectRef}"))
        {
            return;
        }

        Terminating(() =>
        {
            var set = RunEngine(async (log, token) =>
            {
                // Each client's pipeline times its attempts; a whole-client timer would cut its retries short.
                using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                var url = PlatformHttp.TryParse(settings.SupabaseManagementUrl ?? DefaultManagementUrl)
                    ?? throw new HotmessException("ConfigurationInvalid", FailureKind.InvalidData,
                        $"platform.supabaseManagementUrl '{settings.SupabaseManagementUrl}' is not a URL.", settings.SupabaseManagementUrl);
                var client = new SupabaseManagementClient(http, url, settings.SupabaseAccessToken!, settings.SupabaseProjectRef!, log);
                return await LogBackupEngine.BackupAsync(new LogBackupRequest
                {
                    Repository = repository,
                    Client = client,
                    Sources = Source,
                    From = From is { } from ? ToUtc(from) : null,
                    Until = Until is { } until ? ToUtc(until) : null,
                }, log, token).ConfigureAwait(false);
            });
            if (set is null)
            {
                WriteVerbose("No new log rows to store yet.");
                return;
            }

            WriteObject(set);
        });
    }

    // A DateTime without a zone is local time, as PowerShell's Get-Date gives it.
    private static DateTimeOffset ToUtc(DateTime value) =>
        value.Kind == DateTimeKind.Utc ? new DateTimeOffset(value) : new DateTimeOffset(value.ToUniversalTime(), TimeSpan.Zero);
}
