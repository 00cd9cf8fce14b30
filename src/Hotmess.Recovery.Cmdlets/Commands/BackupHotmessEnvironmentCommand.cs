using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Environments;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Backs up the Vercel project's environment variables into the backup repository, values encrypted with AES-256-GCM.</para>
/// </summary>
[Cmdlet(VerbsData.Backup, "HotmessEnvironment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(BackupSet))]
public sealed class BackupHotmessEnvironmentCommand : VercelCmdlet
{
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>A file holding 32 random bytes in base64.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    /// <summary>The same base64 key as a SecureString, e.g. from an Automation variable.</summary>
    [Parameter]
    public SecureString? Key { get; set; }

    /// <summary>A passphrase of at least 12 characters, stretched with PBKDF2-SHA256.</summary>
    [Parameter]
    public SecureString? Passphrase { get; set; }

    protected override void ProcessRecord()
    {
        var repositoryPath = ResolveRepositoryPath(Repository, Configuration);
        RefuseEncryptedRepository(repositoryPath);
        EnvironmentKey key = null!;
        Terminating(() => key = EnvironmentKey.Resolve(KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile),
            ToSecret(Key), ToSecret(Passphrase), System.Environment.GetEnvironmentVariables()));
        if (!ShouldProcess(repositoryPath, $"Back up the environment variables of Vercel project '{VercelSettings.ProjectId}'"))
        {
            return;
        }

        var set = RunVercel((client, log, token) =>
            EnvironmentBackupEngine.BackupAsync(BackupRepository.OpenOrCreate(repositoryPath), new VercelEnvironmentStore(client), key, log, token));
        WriteObject(set);
    }
}
