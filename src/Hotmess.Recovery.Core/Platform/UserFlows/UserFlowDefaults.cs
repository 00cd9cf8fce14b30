using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Platform.UserFlows;

/// <summary>
/// The flows to check: the configuration's <c>userFlows</c>, else the HOTMESS site's critical ones (the plan's
/// Procedure 4, Verify): the home page, the health endpoint the plan's uptime check uses, the login page and the
/// marketplace listing.
/// </summary>
public static class UserFlowDefaults
{
    public static IReadOnlyList<UserFlow> Hotmess { get; } =
    [
        new("Home page", "GET", "/", 200, "HOTMESS", Empty()),
        new("Health", "GET", SiteHealthClient.HealthPath, 200, "\"ok\"", Empty()),
        new("Login page", "GET", "/login", 200, null, Empty()),
        new("Marketplace", "GET", "/marketplace", 200, null, Empty()),
    ];

    /// <summary>The configured flows checked for what a request needs; the defaults when none are configured.</summary>
    public static IReadOnlyList<UserFlow> From(IReadOnlyList<UserFlowSettings> configured)
    {
        if (configured.Count == 0)
        {
            return Hotmess;
        }

        var flows = new List<UserFlow>();
        for (var i = 0; i < configured.Count; i++)
        {
            var setting = configured[i];
            var where = $"userFlows[{i}]" + (string.IsNullOrWhiteSpace(setting.Name) ? "" : $" ('{setting.Name}')");
            if (string.IsNullOrWhiteSpace(setting.Name) || string.IsNullOrWhiteSpace(setting.Path) || !setting.Path.StartsWith('/'))
            {
                throw Invalid($"{where} needs a name and a path starting with '/'.", where);
            }

            var method = string.IsNullOrWhiteSpace(setting.Method) ? "GET" : setting.Method.Trim().ToUpperInvariant();
            if (method is not ("GET" or "HEAD" or "POST" or "PUT" or "PATCH" or "DELETE" or "OPTIONS"))
            {
                throw Invalid($"{where} has the method '{setting.Method}'; use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.", where);
            }

            if (setting.Status is < 100 or > 599)
            {
                throw Invalid($"{where} expects the status {setting.Status}; a status is 100 to 599.", where);
            }

            flows.Add(new UserFlow(setting.Name.Trim(), method, setting.Path, setting.Status ?? 200,
                string.IsNullOrEmpty(setting.Contains) ? null : setting.Contains, setting.Headers));
        }

        if (flows.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw Invalid($"Two user flows are named '{twice.Key}'; give each its own name.", twice.Key);
        }

        return flows;
    }

    private static HotmessException Invalid(string message, string target) =>
        new("UserFlowInvalid", FailureKind.InvalidArgument, message, target);

    private static Dictionary<string, string> Empty() => new();
}
