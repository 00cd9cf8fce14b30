using System.Text;

namespace Hotmess.Recovery.Fakes.StatusPage;

/// <summary>
/// The same pages as summary (api-contracts §12): <c>/statuspage/{page}/api/v2/summary.json</c> adds
/// <c>components[]</c> (an "API" component whose status follows the indicator: minor → degraded_performance,
/// major → partial_outage, critical → major_outage, maintenance → under_maintenance) and the unresolved
/// <c>incidents[]</c> (one while the indicator is not none). <c>/statuspage/{page}/current/full</c> answers as Stripe's
/// own status site does, <c>{message, UptimeStatus: up|degraded|down}</c>, from the same indicator.
/// </summary>
public static partial class StatusPageFake
{
    private static void MapSummary(WebApplication app, StatusPageFakeState state)
    {
        app.MapGet(Prefix + "/{page}/api/v2/summary.json", (string page) => FakeJson.Locked(state.Gate, () =>
        {
            if (!state.Pages.TryGetValue(page, out var p) || p.Mode != "statuspage")
            {
                return NotStatuspage(p);
            }

            var componentStatus = p.Indicator switch
            {
                "minor" => "degraded_performance",
                "major" => "partial_outage",
                "critical" => "major_outage",
                "maintenance" => "under_maintenance",
                _ => "operational",
            };
            var updated = p.UpdatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'");
            return Results.Json(new
            {
                page = new { id = p.Id, name = p.Name, url = $"https://status.{page}.example", time_zone = "Etc/UTC", updated_at = updated },
                components = new[]
                {
                    new { id = p.Id + "api", name = "API", status = componentStatus, updated_at = updated },
                    new { id = p.Id + "dash", name = "Dashboard", status = "operational", updated_at = updated },
                },
                incidents = p.Indicator is "none" or "maintenance"
                    ? []
                    : new[] { new { id = p.Id + "inc", name = p.Description, status = "investigating", impact = p.Indicator, created_at = updated } },
                scheduled_maintenances = Array.Empty<object>(),
                status = new { indicator = p.Indicator, description = p.Description },
            });
        }));

        app.MapGet(Prefix + "/{page}/current/full", (string page) => FakeJson.Locked(state.Gate, () =>
        {
            if (!state.Pages.TryGetValue(page, out var p) || p.Mode != "statuspage")
            {
                return NotStatuspage(p);
            }

            var uptime = p.Indicator switch
            {
                "none" or "maintenance" => "up",
                "minor" => "degraded",
                _ => "down",
            };
            // Stripe's site spells the property in Pascal case; the web defaults would camel-case it.
            return Results.Json(new Dictionary<string, string> { ["message"] = p.Description, ["UptimeStatus"] = uptime });
        }));
    }

    private static IResult NotStatuspage(FakeStatusPage? page) => page?.Mode switch
    {
        "html" => Results.Text($"<!DOCTYPE html><html><head><title>{page.Name} Status</title></head><body>All good</body></html>", "text/html", Encoding.UTF8, 200),
        "other-json" => Results.Json(new { ok = true, incidents = Array.Empty<object>() }),
        _ => Results.Text("<!DOCTYPE html><html><body><h1>404</h1><p>Page not found</p></body></html>", "text/html", Encoding.UTF8, 404),
    };
}
