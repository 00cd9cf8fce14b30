using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Sets an environment variable of the HOTMESS Vercel project, creating it or replacing its value.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "HotmessSecret", SupportsShouldProcess = true)]
[OutputType(typeof(EnvironmentVariableSummary))]
public sealed class SetHotmessSecretCommand : VercelCmdlet
{
    /// <summary>The variable's name, e.g. STRIPE_SECRET_KEY.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The new value.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public SecureString Value { get; set; } = null!;

    /// <summary>The environments it applies to; all three when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("production", "preview", "development")]
    [Alias("Targets")]
    public string[]? Target { get; set; }

    /// <summary>encrypted (default), sensitive (never readable back) or plain.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("encrypted", "sensitive", "plain")]
    public string Type { get; set; } = EnvironmentVariableTypes.Encrypted;

    /// <summary>Writes the saved variable (masked) to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var targets = Target?.Distinct().ToArray() ?? EnvironmentTargets.All.ToArray();
        var value = ToSecret(Value);
        if (value is null)
        {
            WriteError(new ErrorRecord(new PSArgumentException($"The value for {Name} is empty; Vercel needs a value."),
                "SecretValueEmpty", ErrorCategory.InvalidArgument, Name));
            return;
        }

        EnvironmentVariableInput? input = null;
        PerItem(() => input = new EnvironmentVariableInput(Name, value, targets, Type));
        if (input is null ||
            !ShouldProcess($"{Name} ({Type}, {string.Join(", ", targets)}) in Vercel project '{VercelSettings.ProjectId}'", "Set secret"))
        {
            return;
        }

        var saved = RunVercelPerItem<IReadOnlyList<VercelEnvironmentVariable>>((client, _, token) => client.UpsertEnvironmentVariablesAsync([input], token));
        if (PassThru && saved is not null)
        {
            foreach (var variable in saved)
            {
                WriteObject(EnvironmentVariableSummary.From(variable));
            }
        }
    }
}
