using System.Management.Automation;
using System.Net;
using System.Security;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// Lets a string parameter such as -ConnectionString take a SecureString too (New-HotmessSupabaseProject gives its
/// connection string as one), so the password is never typed or printed on the way.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureStringAsTextTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) is SecureString secure
            ? new NetworkCredential(string.Empty, secure).Password
            : inputData;
}
