using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Changes the passphrase of an encrypted repository by rewrapping its master key; no data is re-encrypted.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "HotmessRepositoryKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RepositoryInfo))]
public sealed class SetHotmessRepositoryKeyCommand : HotmessCmdlet
{
    /// <summary>A local path, az://container[/prefix] or s3://bucket[/prefix].</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>The file holding the current passphrase; else HOTMESS_REPOSITORY_KEY.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    /// <summary>The file holding the new passphrase, readable by its owner only.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string NewKeyFile { get; set; } = null!;

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        RepositoryLocation location = null!;
        Terminating(() => location = RepositoryLocation.Parse(ResolveRepository(Repository, configuration).Location));
        Secret current = null!;
        Secret next = null!;
        Terminating(() =>
        {
            current = RepositoryKeySource.Resolve(KeyFile is null ? null : GetUnresolvedProviderPathFromPSPath(KeyFile), System.Environment.GetEnvironmentVariables(), location.ToString());
            next = RepositoryKeySource.FromKeyFile(GetUnresolvedProviderPathFromPSPath(NewKeyFile));
        });
        if (next.Reveal() == current.Reveal())
        {
            ThrowArgumentError("RepositoryKeyUnchanged", $"The new key file '{NewKeyFile}' holds the passphrase the repository '{location}' has now; nothing to change.", NewKeyFile);
        }

        if (!ShouldProcessUnlessForced(Force, location.ToString(), "Change the repository's passphrase (rewrap its master key; the old passphrase stops working, no data is re-encrypted)"))
        {
            return;
        }

        Terminating(() => WriteObject(RunEngine(async (log, token) =>
        {
            await using var store = ObjectStores.Open(location);
            log.Verbose($"Unwrapping the master key with the current passphrase, wrapping it under the new one with {KdfParameters.Default}.");
            await EncryptedRepositoryDescriptor.ChangeKeyAsync(store, current, next, token).ConfigureAwait(false);
            log.Verbose($"Replaced {EncryptedRepositoryDescriptor.ObjectName} in '{store.Location}'. Give the new passphrase to whatever reads this repository (HOTMESS_REPOSITORY_KEY, Automation variables, key files).");
            return RepositoryInfo.Of(store.Location, await EncryptedRepositoryDescriptor.ReadAsync(store, token).ConfigureAwait(false));
        })));
    }
}
