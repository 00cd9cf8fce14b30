using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>
/// Creating projects (api-contracts §10; specs/supabase-management-openapi.json op <c>v1-create-a-project</c>):
/// <c>POST /v1/projects</c> <c>{name, organization_slug, db_pass, region_selection?: {type: specific, code} | region?}</c>
/// → 201 with the project <c>COMING_UP</c>; it answers <c>COMING_UP</c> to the next reads of <c>GET /v1/projects/{ref}</c>
/// and then <c>ACTIVE_HEALTHY</c> (or <c>INIT_FAILED</c>, or never), and <c>GET …/api-keys</c> lists its own legacy keys,
/// which the gateway's <c>/auth/v1/settings</c> accepts too. With <c>--supabase-postgres &lt;admin connection string&gt;</c>
/// (a Supabase-shaped cluster's <c>supabase_admin</c>) each project gets a real database named by its ref, bootstrapped
/// as a fresh project, whose <c>postgres</c> takes the project's <c>db_pass</c>. Refusals: 400 for a body the API
/// rejects (unknown properties, missing fields, an unknown region), 403 for an organization the token may not create
/// in, 409 for a name already used in the organization; token, rate limit and injected faults as everywhere.
/// </summary>
public static partial class SupabaseManagementFake
{
    private static readonly string[] Regions =
    [
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-east-1", "ap-southeast-1", "ap-northeast-1", "ap-northeast-2", "ap-southeast-2",
        "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1", "eu-central-1", "eu-central-2", "ca-central-1", "ap-south-1", "sa-east-1",
    ];

    private static readonly string[] CreateProperties =
        ["db_pass", "name", "organization_id", "organization_slug", "plan", "region", "region_selection", "kps_enabled", "desired_instance_size", "template_url"];

    public static void MapSupabaseProjects(this WebApplication app, FakeOptions options)
    {
        var state = SupabaseManagementFakeState.For(app);
        var projects = new SupabaseProjectsFakeState();
        lock (state.Gate)
        {
            projects.Reset(app.Configuration["supabase-postgres"]);
            state.OnReset.Add(() =>
            {
                projects.Reset(app.Configuration["supabase-postgres"]);
                options.ProjectKeys.Clear();
            });
        }

        app.MapPost(Prefix + "/v1/projects", async (HttpContext c) =>
        {
            using var body = await ReadBodyAsync(c.Request);
            lock (state.Gate)
            {
                return Admit(state, c) ?? CreateProject(state, projects, options, body?.RootElement);
            }
        });

        MapProjectControl(app, state, projects);
    }

    private static IResult CreateProject(SupabaseManagementFakeState state, SupabaseProjectsFakeState projects, FakeOptions options, JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b)
        {
            return Message(400, "Body must be a JSON object");
        }

        if (b.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => !CreateProperties.Contains(n)) is { } unknown)
        {
            return Message(400, $"property {unknown} should not exist");
        }

        var name = FakeJson.String(b, "name");
        var password = FakeJson.String(b, "db_pass");
        var organization = FakeJson.String(b, "organization_slug");
        if (string.IsNullOrEmpty(name) || name.Length > 256 || string.IsNullOrEmpty(password) || string.IsNullOrEmpty(organization))
        {
            return Message(400, "name (at most 256 characters), db_pass and organization_slug are required");
        }

        var region = b.TryGetProperty("region_selection", out var selection) ? FakeJson.String(selection, "code") : FakeJson.String(b, "region");
        if (b.TryGetProperty("region_selection", out _) && (FakeJson.String(selection, "type") != "specific" || FakeJson.Has(b, "region")))
        {
            return Message(400, "region_selection must be {type: specific, code}, and only one of region or region_selection can be specified");
        }

        if (region is not null && !Regions.Contains(region))
        {
            return Message(400, $"region must be one of {string.Join(", ", Regions)}");
        }

        if (!projects.Organizations.Contains(organization) || projects.ForbiddenOrganizations.Contains(organization))
        {
            return Message(403, "Forbidden action: you do not have permission to create projects in this organization");
        }

        if (state.Created.Values.Any(p => p.Organization == organization && p.Name == name)
            || (organization == SupabaseProjectsFakeState.DefaultOrganization && name == state.Name))
        {
            return Message(409, $"A project named {name} already exists in organization {organization}");
        }

        var reference = new string(RandomNumberGenerator.GetItems<char>("abcdefghijklmnopqrstuvwxyz", 20));
        var now = DateTimeOffset.UtcNow;
        var host = $"db.{reference}.supabase.co";
        if (projects.PostgresAdmin is { } admin)
        {
            try
            {
                FakeProjectDatabase.Create(admin, reference, password);
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                return Message(500, "Failed to provision the project's database: " + ex.Message);
            }

            host = FakeProjectDatabase.Host(admin);
        }

        var project = new FakeCreatedProject(reference, name, organization, region ?? "us-east-1", now, host, projects.ReadyAfterPolls, projects.ReadyAfter,
            projects.Outcome);
        state.Created[reference] = project;
        // The new project's Storage is the Storage fake: it takes the project's own service-role key.
        options.ProjectKeys.Add(project.Keys.Single(k => k.Role == "service_role").Value);
        projects.Creations.Add(new { name, organization, region, @ref = reference, at = now });
        return Results.Json(ProjectJson(project, withDatabase: false), statusCode: 201);
    }

    /// <summary><c>GET /v1/projects/{ref}</c> of a created project: each read may move its status on.</summary>
    /// <summary>
    /// <c>GET /v1/projects/{ref}/health</c> of a created project: every service answers with the project's state,
    /// <c>ACTIVE_HEALTHY</c> once it is up, <c>COMING_UP</c> (or its failed status) until then; a read does not move it on.
    /// </summary>
    private static IResult CreatedProjectHealth(FakeCreatedProject project, HttpRequest request) =>
        Health(request, _ => (project.Status, project.Status == "ACTIVE_HEALTHY" ? null : $"project is {project.Status}"));

    private static IResult CreatedProject(FakeCreatedProject project)
    {
        project.Read(DateTimeOffset.UtcNow);
        return Results.Json(ProjectJson(project, withDatabase: true));
    }

    private static Dictionary<string, object?> ProjectJson(FakeCreatedProject project, bool withDatabase)
    {
        var json = new Dictionary<string, object?>
        {
            ["id"] = project.Ref,
            ["ref"] = project.Ref,
            ["organization_id"] = project.Organization,
            ["organization_slug"] = project.Organization,
            ["name"] = project.Name,
            ["region"] = project.Region,
            ["created_at"] = project.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["status"] = project.Status,
        };
        if (withDatabase)
        {
            json["database"] = new { host = project.DatabaseHost, version = "15.8.1.054", postgres_engine = "15", release_channel = "ga" };
        }

        return json;
    }

    /// <summary>
    /// Test controls: <c>POST /__fake/supabase-management/projects</c> <c>{readyAfterPolls?, readyAfterMs?, outcome?
    /// (ACTIVE_HEALTHY | INIT_FAILED | COMING_UP = never), organizations?: [slug], forbiddenOrganizations?: [slug],
    /// postgres?: admin connection string}</c>; <c>POST …/project-status</c> <c>{ref, status}</c> sets a created project's
    /// status (a project going down, or coming up at once); <c>GET …/projects</c> lists the projects created (status, polls) and the
    /// creations asked for, without passwords.
    /// </summary>
    private static void MapProjectControl(WebApplication app, SupabaseManagementFakeState state, SupabaseProjectsFakeState projects)
    {
        var control = app.MapGroup("/__fake/supabase-management");
        control.MapPost("/projects", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            projects.ReadyAfterPolls = FakeJson.Int(body, "readyAfterPolls") ?? projects.ReadyAfterPolls;
            projects.ReadyAfter = FakeJson.Int(body, "readyAfterMs") is { } ms ? TimeSpan.FromMilliseconds(ms) : projects.ReadyAfter;
            projects.Outcome = FakeJson.String(body, "outcome") ?? projects.Outcome;
            projects.PostgresAdmin = FakeJson.String(body, "postgres") ?? projects.PostgresAdmin;
            foreach (var (property, list) in new[] { ("organizations", projects.Organizations), ("forbiddenOrganizations", projects.ForbiddenOrganizations) })
            {
                if (body.TryGetProperty(property, out var items) && items.ValueKind == JsonValueKind.Array)
                {
                    list.Clear();
                    list.AddRange(items.EnumerateArray().Select(i => i.GetString() ?? ""));
                }
            }

            return Results.Json(new { projects.ReadyAfterPolls, projects.Outcome, projects.Organizations, projects.ForbiddenOrganizations, postgres = projects.PostgresAdmin is not null });
        })));
        control.MapPost("/project-status", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            if (FakeJson.String(body, "ref") is not { } reference || !state.Created.TryGetValue(reference, out var project))
            {
                return Results.NotFound($"No created project '{FakeJson.String(body, "ref")}'.");
            }

            project.Status = FakeJson.String(body, "status") ?? project.Status;
            return Results.Json(new { project.Ref, project.Status });
        })));
        control.MapGet("/projects", () => FakeJson.Locked(state.Gate, () => Results.Json(new
        {
            projects = state.Created.Values.Select(p => new { p.Ref, p.Name, p.Organization, p.Region, p.Status, p.Polls, p.DatabaseHost }),
            creations = projects.Creations,
        })));
    }
}
