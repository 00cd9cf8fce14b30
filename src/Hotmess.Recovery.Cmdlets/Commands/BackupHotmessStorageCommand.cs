using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Backs up Supabase Storage buckets into the backup repository, downloading only what changed since the last storage backup.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "HotmessStorage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(StorageBackupSet))]
public sealed class BackupHotmessStorageCommand : HotmessCmdlet
{
    /// <summary>The backup repository; the configuration's <c>repository</c>, HOTMESS_REPOSITORY or ~/.hotmess/backups when not given.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Buckets to back up (ids or names); the configuration's <c>storage.buckets</c>, or every bucket, when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Bucket { get; set; }

    /// <summary>Objects downloaded at once; the configuration's <c>storage.throttleLimit</c>, or 24, when not given.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int? ThrottleLimit { get; set; }

    /// <summary>Download every object again instead of reusing unchanged ones.</summary>
    [Parameter]
    public SwitchParameter Full { get; set; }

    /// <summary>Hash the stored content of unchanged objects before reusing it; what fails is downloaded again, repairing the store.</summary>
    [Parameter]
    public SwitchParameter VerifyContentStore { get; set; }

    /// <summary>The Supabase project URL; the configuration or VITE_SUPABASE_URL when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SupabaseUrl { get; set; }

    /// <summary>The service-role key; SUPABASE_SERVICE_ROLE_KEY when not given.</summary>
    [Parameter]
    public SecureString? ServiceRoleKey { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var repository = ResolveRepositoryPath(Repository, configuration);
        RefuseEncryptedRepository(repository);
        (Uri Url, Secret Key)? resolved = null;
        Terminating(() => resolved = ClientSettings.Storage(SupabaseUrl, ToSecret(ServiceRoleKey), configuration,
            System.Environment.GetEnvironmentVariables()));
        var connection = resolved!.Value;
        var buckets = Bucket ?? configuration.Storage.Buckets.ToArray();
        var what = buckets.Length == 0 ? "every bucket" : "the buckets " + string.Join(", ", buckets);
        if (!ShouldProcess(repository, $"Back up {what} of Supabase Storage at {connection.Url}{(Full ? ", downloading every object" : VerifyContentStore ? ", hashing the stored content before reusing it" : "")}"))
        {
            return;
        }

        var request = new StorageBackupRequest
        {
            SupabaseUrl = connection.Url,
            ServiceKey = connection.Key,
            Repository = repository,
            Buckets = buckets,
            ThrottleLimit = ThrottleLimit ?? configuration.Storage.ThrottleLimit ?? StorageBackupRequest.DefaultThrottleLimit,
            Full = Full,
            VerifyContentStore = VerifyContentStore,
        };
        Terminating(() => WriteObject(RunEngine((log, token) => StorageBackupEngine.BackupAsync(request, log, token))));
    }
}
