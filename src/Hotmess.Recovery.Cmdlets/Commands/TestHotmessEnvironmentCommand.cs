using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Tests that every variable the plan requires is set in Vercel for each environment.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessEnvironment")]
[OutputType(typeof(EnvironmentCheck))]
public sealed class TestHotmessEnvironmentCommand : VercelCmdlet
{
    /// <summary>The environments to check; all three when not given.</summary>
    [Parameter(Position = 0)]
    [ValidateSet("production", "preview", "development")]
    public string[]? Target { get; set; }

    protected override void ProcessRecord()
    {
        var targets = Target?.Distinct().ToArray() ?? EnvironmentTargets.All.ToArray();
        var variables = RunVercel((client, _, token) => client.GetEnvironmentVariablesAsync(null, decrypt: false, token));
        foreach (var check in EnvironmentRequirements.Check(variables, targets))
        {
            WriteObject(check);
        }
    }
}
