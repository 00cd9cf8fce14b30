using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Restores a storage backup set into Supabase Storage and lists the buckets back to confirm every object.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "HotmessStorage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(StorageRestoreResult))]
public sealed class RestoreHotmessStorageCommand : HotmessCmdlet
{
    /// <summary>The storage set to restore, from Get-HotmessBackup or Backup-HotmessStorage.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public BackupSet? InputObject { get; set; }

    /// <summary>Buckets of the set to restore (ids or names); all of them when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Bucket { get; set; }

    /// <summary>Only objects whose key starts with this.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Prefix { get; set; }

    /// <summary>The Supabase project URL to restore into; the configuration or VITE_SUPABASE_URL when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SupabaseUrl { get; set; }

    /// <summary>The service-role key of that project; SUPABASE_SERVICE_ROLE_KEY when not given.</summary>
    [Parameter]
    public SecureString? ServiceRoleKey { get; set; }

    /// <summary>Objects uploaded at once; the configuration's <c>storage.throttleLimit</c>, or 8, when not given.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int? ThrottleLimit { get; set; }

    /// <summary>Overwrite objects that exist with different content, and do not ask for confirmation.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>For an encrypted repository (az://, s3://, or an encrypted folder): a file holding its passphrase; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var set = InputObject!;
        if (set.Kind != BackupKind.Storage || set.Manifest.Storage is null)
        {
            WriteError(ErrorRecordFor(new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument,
                $"'{set.Id}' is a {set.Kind} set; Restore-HotmessStorage restores storage sets.", set)));
            return;
        }

        var configuration = LoadConfiguration(ConfigurationPath);
        (Uri Url, Secret Key)? resolved = null;
        Terminating(() => resolved = ClientSettings.Storage(SupabaseUrl, ToSecret(ServiceRoleKey), configuration,
            System.Environment.GetEnvironmentVariables()));
        var connection = resolved!.Value;
        var scope = (Bucket is null ? "" : $" (buckets {string.Join(", ", Bucket)})") + (Prefix is null ? "" : $" (keys starting '{Prefix}')");
        var action = $"Restore storage set {set.Id}{scope}{(Force ? ", overwriting objects that differ" : "")}";
        if (!ShouldProcessUnlessForced(Force, connection.Url.ToString(), action))
        {
            return;
        }

        StorageRestoreRequest RequestFor(BackupSet local) => new()
        {
            Set = local,
            SupabaseUrl = connection.Url,
            ServiceKey = connection.Key,
            Buckets = Bucket ?? [],
            Prefix = Prefix,
            ThrottleLimit = ThrottleLimit ?? configuration.Storage.ThrottleLimit ?? StorageRestoreRequest.DefaultThrottleLimit,
            Overwrite = Force,
        };
        PerItem(() =>
        {
            // A set of an encrypted repository is fetched (and authenticated) into a private cache first.
            var result = WithLocalSet(set, RepositoryKeyFile, (local, log, token) => StorageRestoreEngine.RestoreAsync(RequestFor(local), log, token));
            WriteObject(result);
            foreach (var conflict in result.Conflicts)
            {
                WriteError(ErrorRecordFor(new HotmessException("StorageObjectConflict", FailureKind.AlreadyExists,
                    $"'{conflict}' exists in the target with different content and was left as it is; -Force overwrites it.", conflict)));
            }

            foreach (var failure in result.Failures)
            {
                WriteError(ErrorRecordFor(failure.ToException()));
            }
        });
    }
}
