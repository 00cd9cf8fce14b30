using System.Text;

namespace Hotmess.Recovery.Fakes.StatusPage;

/// <summary>
/// Atlassian Statuspage pages at <c>/statuspage/{page}/api/v2/status.json</c> (api-contracts §6.2):
/// <c>{page:{id, name, url, time_zone, updated_at}, status:{indicator, description}}</c>. A page can also be set
/// to answer as a provider's page that is not Statuspage: <c>html</c> (200 HTML), <c>missing</c> (404 HTML) or
/// <c>other-json</c> (200 JSON of another shape). Reset serves <c>vercel</c>, <c>supabase</c> and <c>stripe</c>, all
/// operational. Steered through <c>/__fake/statuspage/…</c>.
/// </summary>
public static partial class StatusPageFake
{
    public const string Prefix = "/statuspage";

    private static readonly Dictionary<string, string> Descriptions = new(StringComparer.Ordinal)
    {
        ["none"] = "All Systems Operational",
        ["minor"] = "Minor Service Outage",
        ["major"] = "Partial System Outage",
        ["critical"] = "Major Service Outage",
        ["maintenance"] = "Service Under Maintenance",
    };

    private static readonly string[] Modes = ["statuspage", "html", "missing", "other-json"];

    public static void MapStatusPage(this WebApplication app, FakeOptions options)
    {
        var state = new StatusPageFakeState();
        state.Reset();

        app.MapGet(Prefix + "/{page}/api/v2/status.json", (string page) => FakeJson.Locked(state.Gate, () =>
        {
            if (!state.Pages.TryGetValue(page, out var p) || p.Mode == "missing")
            {
                return Results.Text("<!DOCTYPE html><html><body><h1>404</h1><p>Page not found</p></body></html>", "text/html", Encoding.UTF8, 404);
            }

            return p.Mode switch
            {
                "html" => Results.Text($"<!DOCTYPE html><html><head><title>{p.Name} Status</title></head><body>All good</body></html>", "text/html", Encoding.UTF8, 200),
                "other-json" => Results.Json(new { ok = true, incidents = Array.Empty<object>() }),
                _ => Results.Json(new
                {
                    page = new { id = p.Id, name = p.Name, url = $"https://status.{page}.example", time_zone = "Etc/UTC", updated_at = p.UpdatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'") },
                    status = new { indicator = p.Indicator, description = p.Description },
                }),
            };
        }));

        MapSummary(app, state);

        var control = app.MapGroup("/__fake/statuspage");
        control.MapPost("/reset", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Reset();
            return Results.Json(state.Pages.Keys);
        }));
        control.MapPost("/pages", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            var page = FakeJson.String(body, "page");
            var indicator = FakeJson.String(body, "indicator") ?? "none";
            var mode = FakeJson.String(body, "mode") ?? "statuspage";
            if (string.IsNullOrEmpty(page) || !Modes.Contains(mode))
            {
                return Results.BadRequest($"Expected {{page, indicator?, description?, mode?: {string.Join("|", Modes)}}}.");
            }

            state.Pages[page] = new FakeStatusPage(
                "page" + Math.Abs(page.GetHashCode(StringComparison.Ordinal) % 100000),
                FakeJson.String(body, "name") ?? char.ToUpperInvariant(page[0]) + page[1..],
                indicator,
                FakeJson.String(body, "description") ?? Descriptions.GetValueOrDefault(indicator, indicator),
                mode,
                DateTime.UtcNow);
            return Results.Json(state.Pages[page]);
        })));
    }
}

internal sealed class StatusPageFakeState
{
    public object Gate { get; } = new();

    public Dictionary<string, FakeStatusPage> Pages { get; } = new(StringComparer.Ordinal);

    public void Reset()
    {
        Pages.Clear();
        foreach (var (page, name) in new[] { ("vercel", "Vercel"), ("supabase", "Supabase"), ("stripe", "Stripe") })
        {
            Pages[page] = new FakeStatusPage("page" + name.Length, name, "none", "All Systems Operational", "statuspage", DateTime.UtcNow);
        }
    }
}

internal sealed record FakeStatusPage(string Id, string Name, string Indicator, string Description, string Mode, DateTime UpdatedAt);
