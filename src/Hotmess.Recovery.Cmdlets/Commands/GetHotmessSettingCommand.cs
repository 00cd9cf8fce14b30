using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Settings;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets runbook settings by name: the Azure Automation variable when the job runs in Azure Automation, else the environment variable.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessSetting")]
[OutputType(typeof(string), typeof(SecureString))]
public sealed class GetHotmessSettingCommand : HotmessCmdlet
{
    /// <summary>The settings, by the plan's names (e.g. VERCEL_PROJECT_ID).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>Every name must be found; otherwise one error names all the missing ones.</summary>
    [Parameter]
    public SwitchParameter Required { get; set; }

    /// <summary>Return values as SecureString even when the name is not one of the plan's secrets.</summary>
    [Parameter]
    public SwitchParameter AsSecureString { get; set; }

    protected override void ProcessRecord()
    {
        var automationVariable = AutomationVariableReader();
        IReadOnlyList<RunbookSetting> settings = [];
        Terminating(() => settings = RunbookSettings.Resolve(Name!, automationVariable, System.Environment.GetEnvironmentVariables(), Required, AsSecureString));
        foreach (var setting in settings)
        {
            WriteVerbose($"{setting.Name} from the {(setting.Source == SettingSource.AutomationVariable ? "Azure Automation variable" : "environment variable")}{(setting.IsSecret ? " (a secret)" : "")}.");
            WriteObject(setting.IsSecret ? ToSecureString(setting.Value.Reveal()) : setting.Value.Reveal());
        }
    }

    private static SecureString ToSecureString(string value)
    {
        var secure = new SecureString();
        foreach (var c in value)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }
}
