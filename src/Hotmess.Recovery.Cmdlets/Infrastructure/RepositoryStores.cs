using System.Management.Automation;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>A -Repository value as a location: az:// and s3:// as given, anything else a path of the current provider.</summary>
internal static class RepositoryStores
{
    public static bool IsRemote(string location) =>
        location.StartsWith("az://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("s3://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The parameter, then the configuration, then the default local repository.</summary>
    public static string ResolveLocation(PSCmdlet cmdlet, string? parameter, HotmessConfiguration configuration)
    {
        var location = parameter ?? configuration.Repository ?? BackupRepository.DefaultPath;
        return IsRemote(location) ? location : cmdlet.GetUnresolvedProviderPathFromPSPath(location);
    }

    public static IObjectStore Open(string location) => new LocalDirectoryStore(location);
}
