using System.Globalization;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.StatusPage;

/// <summary>
/// The Statuspage manage API for incidents at <c>/statuspage-api/v1</c> (api-contracts §12): <c>Authorization: OAuth
/// &lt;key&gt;</c> (else 401 <c>{"error":"Could not authenticate"}</c>); <c>POST /pages/{page}/incidents</c> with
/// <c>{"incident":{name, status, body, impact_override, component_ids}}</c> answers 201 with the incident;
/// <c>PATCH /pages/{page}/incidents/{id}</c> with <c>{"incident":{status, body}}</c> answers 200, adds an
/// <c>incident_updates</c> entry and sets <c>resolved_at</c> on <c>resolved</c>; <c>GET …/incidents</c> lists them. An
/// unknown page or incident is 404 <c>{"error":"Not found"}</c>, a bad status or a missing name 422
/// <c>{"error":[…]}</c>. Steered through <c>/__fake/statuspage-api/…</c>: <c>reset {key?, page?}</c>,
/// <c>rate-limit {count, retryAfterSeconds}</c> (429 <c>{"error":"Rate limit exceeded"}</c>), <c>incidents</c>.
/// </summary>
public static class StatusPageIncidentsFake
{
    public const string Prefix = "/statuspage-api/v1";
    public const string DefaultKey = "statuspage-fake-oauth-key-0001";
    public const string DefaultPage = "hotmesspage01";

    private static readonly string[] Statuses = ["investigating", "identified", "monitoring", "resolved"];
    private static readonly string[] Impacts = ["none", "minor", "major", "critical"];

    public static void MapStatusPageIncidents(this WebApplication app, FakeOptions options)
    {
        var state = new StatusPageIncidentsState();
        state.Reset(DefaultKey, DefaultPage);
        FaultInjector.For(app).DescribeErrors(Prefix, status => new { error = status == 429 ? "Rate limit exceeded" : "Internal Server Error" });

        var api = app.MapGroup(Prefix + "/pages/{page}");
        api.MapPost("/incidents", async (HttpContext c, string page) => await FakeJson.WithBody(c.Request, body => FakeJson.Locked(state.Gate, () =>
            Guard(state, c, page) ?? Create(state, page, body))));
        api.MapPatch("/incidents/{id}", async (HttpContext c, string page, string id) => await FakeJson.WithBody(c.Request, body => FakeJson.Locked(state.Gate, () =>
            Guard(state, c, page) ?? Update(state, page, id, body))));
        api.MapGet("/incidents", (HttpContext c, string page) => FakeJson.Locked(state.Gate, () =>
            Guard(state, c, page) ?? Results.Json(state.Incidents.Where(i => i.Page == page).Select(Show))));

        var control = app.MapGroup("/__fake/statuspage-api");
        control.MapPost("/reset", async (HttpRequest r) => await FakeJson.WithOptionalBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.Reset(FakeJson.String(body, "key") ?? DefaultKey, FakeJson.String(body, "page") ?? DefaultPage);
            return Results.Json(new { state.Key.Length, state.Page });
        })));
        control.MapPost("/rate-limit", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.RateLimitRemaining = FakeJson.Int(body, "count") ?? 1;
            state.RetryAfterSeconds = FakeJson.Int(body, "retryAfterSeconds") ?? 1;
            return Results.Json(new { state.RateLimitRemaining, state.RetryAfterSeconds });
        })));
        control.MapGet("/incidents", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Incidents.Select(Show))));
    }

    private static IResult? Guard(StatusPageIncidentsState state, HttpContext c, string page)
    {
        var authorization = c.Request.Headers.Authorization.ToString();
        if (authorization != "OAuth " + state.Key)
        {
            return Results.Json(new { error = "Could not authenticate" }, statusCode: 401);
        }

        if (state.RateLimitRemaining > 0)
        {
            state.RateLimitRemaining--;
            c.Response.Headers.RetryAfter = state.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return Results.Json(new { error = "Rate limit exceeded" }, statusCode: 429);
        }

        return page == state.Page ? null : Results.Json(new { error = "Not found" }, statusCode: 404);
    }

    private static IResult Create(StatusPageIncidentsState state, string page, JsonElement body)
    {
        var incident = body.TryGetProperty("incident", out var i) ? i : default;
        var name = FakeJson.String(incident, "name");
        var status = FakeJson.String(incident, "status") ?? "investigating";
        var impact = FakeJson.String(incident, "impact_override") ?? "none";
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(name))
        {
            errors.Add("Name can't be blank");
        }

        if (!Statuses.Contains(status))
        {
            errors.Add($"Status is not included in the list");
        }

        if (!Impacts.Contains(impact))
        {
            errors.Add("Impact override is not included in the list");
        }

        if (errors.Count > 0)
        {
            return Results.Json(new { error = errors }, statusCode: 422);
        }

        var now = DateTimeOffset.UtcNow;
        var created = new FakeStatuspageIncident(Guid.NewGuid().ToString("N")[..12], page, name!, status, impact, now)
        {
            ResolvedAt = status == "resolved" ? now : null,
        };
        created.Updates.Add(new FakeIncidentUpdate(status, FakeJson.String(incident, "body") ?? "", now));
        state.Incidents.Add(created);
        return Results.Json(Show(created), statusCode: 201);
    }

    private static IResult Update(StatusPageIncidentsState state, string page, string id, JsonElement body)
    {
        var existing = state.Incidents.FirstOrDefault(i => i.Page == page && i.Id == id);
        if (existing is null)
        {
            return Results.Json(new { error = "Not found" }, statusCode: 404);
        }

        var incident = body.TryGetProperty("incident", out var i) ? i : default;
        var status = FakeJson.String(incident, "status") ?? existing.Status;
        if (!Statuses.Contains(status))
        {
            return Results.Json(new { error = new[] { "Status is not included in the list" } }, statusCode: 422);
        }

        var now = DateTimeOffset.UtcNow;
        existing.Status = status;
        existing.ResolvedAt = status == "resolved" ? existing.ResolvedAt ?? now : null;
        existing.Updates.Add(new FakeIncidentUpdate(status, FakeJson.String(incident, "body") ?? "", now));
        return Results.Json(Show(existing));
    }

    private static object Show(FakeStatuspageIncident i) => new
    {
        id = i.Id,
        page_id = i.Page,
        name = i.Name,
        status = i.Status,
        impact = i.Impact,
        shortlink = $"https://stspg.io/{i.Id}",
        created_at = i.CreatedAt,
        resolved_at = i.ResolvedAt,
        incident_updates = i.Updates.AsEnumerable().Reverse().Select(u => new { status = u.Status, body = u.Body, created_at = u.CreatedAt }),
    };
}

internal sealed class StatusPageIncidentsState
{
    public object Gate { get; } = new();

    public string Key { get; private set; } = "";

    public string Page { get; private set; } = "";

    public List<FakeStatuspageIncident> Incidents { get; } = [];

    public int RateLimitRemaining { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    public void Reset(string key, string page)
    {
        Key = key;
        Page = page;
        Incidents.Clear();
        RateLimitRemaining = 0;
        RetryAfterSeconds = 1;
    }
}

internal sealed record FakeStatuspageIncident(string Id, string Page, string Name, string Status, string Impact, DateTimeOffset CreatedAt)
{
    public string Status { get; set; } = Status;

    public DateTimeOffset? ResolvedAt { get; set; }

    public List<FakeIncidentUpdate> Updates { get; } = [];
}

internal sealed record FakeIncidentUpdate(string Status, string Body, DateTimeOffset CreatedAt);
