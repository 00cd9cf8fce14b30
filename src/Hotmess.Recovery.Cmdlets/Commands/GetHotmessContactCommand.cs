using System.Management.Automation;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Cmdlets.Infrastructure;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Shows the plan's emergency contacts, from the configuration's alerting.contacts (the plan's table by default).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessContact")]
[OutputType(typeof(EmergencyContact))]
public sealed class GetHotmessContactCommand : HotmessCmdlet
{
    /// <summary>Only the roles that match; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Role { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var patterns = Role?.Select(r => WildcardPattern.Get(r, WildcardOptions.IgnoreCase)).ToList();
        foreach (var contact in configuration.Alerting.EffectiveContacts)
        {
            if (patterns is null || patterns.Any(p => p.IsMatch(contact.Role)))
            {
                WriteObject(contact);
            }
        }
    }
}
