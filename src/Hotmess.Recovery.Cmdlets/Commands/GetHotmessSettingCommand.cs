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
    private const string AutomationCommand = "Get-AutomationVariable";

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
        // Only inside Azure Automation (or a test that stands in for it) does the command exist.
        var inAutomation = InvokeCommand.GetCommand(AutomationCommand, CommandTypes.All) is not null;
        Func<string, string?>? automationVariable = inAutomation ? ReadAutomationVariable : null;

        IReadOnlyList<RunbookSetting> settings = [];
        Terminating(() => settings = RunbookSettings.Resolve(Name!, automationVariable, System.Environment.GetEnvironmentVariables(), Required, AsSecureString));
        foreach (var setting in settings)
        {
            WriteVerbose($"{setting.Name} from the {(setting.Source == SettingSource.AutomationVariable ? "Azure Automation variable" : "environment variable")}{(setting.IsSecret ? " (a secret)" : "")}.");
            WriteObject(setting.IsSecret ? ToSecureString(setting.Value.Reveal()) : setting.Value.Reveal());
        }
    }

    private string? ReadAutomationVariable(string name)
    {
        try
        {
            // In the caller's scope, so the session's own Get-AutomationVariable answers; an unknown variable is an error there.
            var results = InvokeCommand.InvokeScript(
                false, ScriptBlock.Create("param($Name) $ErrorActionPreference = 'Stop'; Get-AutomationVariable -Name $Name"), null, name);
            var value = results.Count == 0 ? null : results[^1]?.BaseObject;
            return value is null ? null : LanguagePrimitives.ConvertTo<string>(value);
        }
        catch (RuntimeException ex)
        {
            WriteVerbose($"No Azure Automation variable {name}: {ex.Message}");
            return null;
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
