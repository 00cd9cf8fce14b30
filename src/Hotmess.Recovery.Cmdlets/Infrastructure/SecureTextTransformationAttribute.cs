using System.Management.Automation;
using System.Net;
using System.Security;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// Lets a string parameter take a SecureString too (a connection string with its password, as a new project's output
/// carries it): the text is read only to hand it to the engine, never shown.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SecureTextTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
        (inputData is PSObject wrapped ? wrapped.BaseObject : inputData) is SecureString secure
            ? new NetworkCredential(string.Empty, secure).Password
            : inputData;
}
