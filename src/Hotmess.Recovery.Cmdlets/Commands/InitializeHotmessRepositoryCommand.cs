using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Creates a backup repository: a local folder, or an encrypted repository in a folder, an Azure Blob container or an S3 bucket.</para>
/// </summary>
[Cmdlet(VerbsData.Initialize, "HotmessRepository", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RepositoryInfo))]
public sealed class InitializeHotmessRepositoryCommand : HotmessCmdlet
{
    /// <summary>A local path, az://container[/prefix] or s3://bucket[/prefix].</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Encrypt everything stored; a remote repository always is, and so is one given a -KeyFile.</summary>
    [Parameter]
    public SwitchParameter Encrypted { get; set; }

    /// <summary>A file holding the passphrase, readable by its owner only; else HOTMESS_REPOSITORY_KEY.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        RepositoryLocation location = null!;
        Terminating(() => location = RepositoryLocation.Parse(ResolveRepository(Repository, configuration).Location));
        var encrypted = Encrypted.IsPresent;
        if (!encrypted && location.IsRemote)
        {
            WriteVerbose($"'{location}' is remote, and a remote repository is always encrypted.");
            encrypted = true;
        }
        else if (!encrypted && KeyFile is not null)
        {
            WriteVerbose("A key file was given, so the repository is encrypted.");
            encrypted = true;
        }

        if (!encrypted)
        {
            if (ShouldProcess(location.ToString(), "Create a backup repository"))
            {
                BackupRepository repository = null!;
                Terminating(() => repository = BackupRepository.OpenOrCreate(location.Path));
                WriteObject(new RepositoryInfo { Location = repository.Root, CreatedUtc = repository.Descriptor.CreatedUtc });
            }

            return;
        }

        Secret passphrase = null!;
        Terminating(() => passphrase = RepositoryKeySource.Resolve(
            KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile), System.Environment.GetEnvironmentVariables(), location.ToString()));
        if (!ShouldProcess(location.ToString(), "Create an encrypted repository: a new random master key, wrapped by the passphrase"))
        {
            return;
        }

        Terminating(() => WriteObject(RunEngine(async (log, token) =>
        {
            await using var store = ObjectStores.Open(location);
            log.Verbose($"Stretching the passphrase with {KdfParameters.Default} to wrap a new master key.");
            using var key = await EncryptedRepositoryDescriptor.CreateAsync(store, passphrase, token).ConfigureAwait(false);
            var descriptor = await EncryptedRepositoryDescriptor.ReadAsync(store, token).ConfigureAwait(false);
            log.Verbose($"Wrote {EncryptedRepositoryDescriptor.ObjectName} to '{store.Location}'. Keep the passphrase outside the repository: without it nothing in it can be read.");
            return RepositoryInfo.Of(store.Location, descriptor);
        })));
    }
}
