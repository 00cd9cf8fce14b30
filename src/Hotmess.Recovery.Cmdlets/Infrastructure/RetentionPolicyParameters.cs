using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.DataRetention;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>The data retention policy in force: -PolicyPath, else the configuration's retention.policyPath, else the module's default HOTMESS policy.</summary>
internal static class RetentionPolicyParameters
{
    public static DataRetentionPolicy Load(string? policyPath, HotmessConfiguration configuration, Func<string, string> resolvePath)
    {
        var path = policyPath ?? configuration.Retention.PolicyPath;
        return path is null ? DataRetentionPolicy.Default : DataRetentionPolicy.Load(resolvePath(path));
    }
}
