using System.Collections;
using System.Collections.Frozen;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Settings;

/// <summary>
/// How every runbook reads its settings: an Azure Automation variable when the job runs in Azure Automation and
/// the variable holds a value, else the environment variable of the same name (CI, a shell). The names are the
/// plan's own (<c>VERCEL_TOKEN</c>, <c>STRIPE_SECRET_KEY</c>…).
/// </summary>
public static class RunbookSettings
{
    /// <summary>The secrets the plan names: always handed out as secrets, whatever the caller asks.</summary>
    public static readonly FrozenSet<string> PlanSecrets = new[]
    {
        "VITE_SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "RESEND_API_KEY",
        "VERCEL_TOKEN", "SUPABASE_ACCESS_TOKEN", "PGPASSWORD", "HOTMESS_ENVIRONMENT_KEY", "HOTMESS_ENVIRONMENT_PASSPHRASE",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The settings found, in the order named (a name asked for twice once). <paramref name="automationVariable"/>
    /// reads an Automation variable (null or empty when it has none), and is null outside Azure Automation.
    /// With <paramref name="required"/>, every name must be found: otherwise <c>SettingMissing</c>, naming each
    /// missing one, before any value is handed out.
    /// </summary>
    public static IReadOnlyList<RunbookSetting> Resolve(
        IEnumerable<string> names, Func<string, string?>? automationVariable, IDictionary environment, bool required, bool secret = false)
    {
        var found = new List<RunbookSetting>();
        var missing = new List<string>();
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new HotmessException("SettingNameInvalid", FailureKind.InvalidArgument, "A setting name is empty.", name);
            }

            var isSecret = secret || PlanSecrets.Contains(name);
            if (Secret.FromNullable(automationVariable?.Invoke(name)) is { } fromAutomation)
            {
                found.Add(new RunbookSetting(name, fromAutomation, SettingSource.AutomationVariable, isSecret));
            }
            else if (Secret.FromNullable(environment[name] as string) is { } fromEnvironment)
            {
                found.Add(new RunbookSetting(name, fromEnvironment, SettingSource.Environment, isSecret));
            }
            else
            {
                missing.Add(name);
            }
        }

        if (required && missing.Count > 0)
        {
            var where = automationVariable is null ? "the environment variable" : "the Azure Automation variable (or the environment variable)";
            throw new HotmessException("SettingMissing", FailureKind.InvalidArgument,
                $"{(missing.Count == 1 ? "A required setting is" : "Required settings are")} not set: {string.Join(", ", missing)}. Set {where} of that name.",
                missing.ToArray());
        }

        return found;
    }
}
