using System.Collections;
using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the configuration the cmdlets resolve: hotmess.json completed from the environment, passwords masked, secrets shown only as set or not.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessConfiguration")]
[OutputType(typeof(HotmessConfiguration), typeof(PSObject))]
public sealed class GetHotmessConfigurationCommand : HotmessCmdlet
{
    /// <summary>The secrets the plan names; reported as present or absent, never shown.</summary>
    private static readonly string[] PlanSecrets =
    [
        "VITE_SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "RESEND_API_KEY",
        "VERCEL_TOKEN", "SUPABASE_ACCESS_TOKEN", "PGPASSWORD",
    ];

    /// <summary>Passwords: not even the last characters are shown, since they are not told apart like keys.</summary>
    private static readonly HashSet<string> Passwords = ["PGPASSWORD"];

    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    /// <summary>List the plan's secrets and whether the environment provides each, instead of the settings.</summary>
    [Parameter]
    public SwitchParameter Secrets { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        if (!Secrets)
        {
            WriteObject(configuration.Redacted());
            return;
        }

        var environment = System.Environment.GetEnvironmentVariables();
        foreach (var name in PlanSecrets)
        {
            var secret = ConfigurationLoader.GetSecret(environment, name);
            var result = new PSObject();
            result.Properties.Add(new PSNoteProperty("Name", name));
            result.Properties.Add(new PSNoteProperty("IsSet", secret is not null));
            result.Properties.Add(new PSNoteProperty("Value", Passwords.Contains(name) ? secret?.ToString() : secret?.Masked));
            WriteObject(result);
        }
    }
}
