namespace Hotmess.Recovery.Platform.Vercel;

/// <summary>Whether one required variable is set for one Vercel environment.</summary>
public sealed record EnvironmentCheck(string Name, string Target, bool Passed, string? Type, string Reason);

/// <summary>The variables the plan lists as required, and the check that each is set for each environment.</summary>
public static class EnvironmentRequirements
{
    /// <summary>The plan's "Required Variables".</summary>
    public static readonly IReadOnlyList<string> RequiredVariables =
    [
        "VITE_SUPABASE_URL",
        "VITE_SUPABASE_ANON_KEY",
        "SUPABASE_SERVICE_ROLE_KEY",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "RESEND_API_KEY",
    ];

    /// <summary>One result per required variable and target, in that order. A branch-specific variable does not count.</summary>
    public static IEnumerable<EnvironmentCheck> Check(IReadOnlyList<VercelEnvironmentVariable> variables, IReadOnlyList<string> targets)
    {
        foreach (var name in RequiredVariables)
        {
            foreach (var target in targets)
            {
                var match = variables.FirstOrDefault(v => v.Key == name && v.GitBranch is null && v.Targets.Contains(target));
                yield return match is null
                    ? new EnvironmentCheck(name, target, false, null,
                        variables.Any(v => v.Key == name) ? $"Set, but not for {target}." : "Not set in Vercel.")
                    : new EnvironmentCheck(name, target, true, match.Type, $"Set ({match.Type}).");
            }
        }
    }
}
