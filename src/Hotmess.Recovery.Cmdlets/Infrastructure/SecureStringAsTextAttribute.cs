using System.Management.Automation;
using System.Net;
using System.Security;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// Lets a string parameter that carries a secret (a connection string with its password) take a SecureString too,
/// such as New-HotmessSupabaseProject's ConnectionString or Get-HotmessSetting's output, read at the point of use.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureStringAsTextAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        return value is SecureString secure ? new NetworkCredential(string.Empty, secure).Password : inputData;
    }
}
