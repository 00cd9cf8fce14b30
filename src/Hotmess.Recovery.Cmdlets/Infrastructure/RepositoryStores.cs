using System.Management.Automation;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>A -Repository value as a location: az:// and s3:// as given, anything else a path of the current provider.</summary>
internal static class RepositoryStores
{
    /// <summary>The parameter, then the configuration, then the default local repository; parsed, so a malformed one fails here.</summary>
    public static RepositoryLocation ResolveLocation(PSCmdlet cmdlet, string? parameter, HotmessConfiguration configuration)
    {
        var text = parameter ?? configuration.Repository ?? BackupRepository.DefaultPath;
        return RepositoryLocation.Parse(RepositoryLocation.IsRemoteText(text) ? text : cmdlet.GetUnresolvedProviderPathFromPSPath(text));
    }
}
