using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the environment variables of the HOTMESS Vercel project: names, targets, types and masked values.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessEnvironment")]
[OutputType(typeof(EnvironmentVariableSummary))]
public sealed class GetHotmessEnvironmentCommand : VercelCmdlet
{
    /// <summary>Only the variables of this environment.</summary>
    [Parameter(Position = 0)]
    [ValidateSet("production", "preview", "development")]
    public string? Target { get; set; }

    /// <summary>Only variables whose name matches one of these (wildcards allowed).</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void ProcessRecord()
    {
        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        var variables = RunVercel((client, _, token) => client.GetEnvironmentVariablesAsync(Target, decrypt: false, token));
        foreach (var variable in variables
                     .Where(v => patterns is null || patterns.Any(p => p.IsMatch(v.Key)))
                     .OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            WriteObject(EnvironmentVariableSummary.From(variable));
        }
    }
}
