using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>
/// The Supabase Management API v1 at <c>/supabase-management</c> (api-contracts §2, specs/supabase-management-openapi.json)
/// for one project: <c>GET /v1/projects/{ref}</c>, <c>/health?services=…&amp;timeout_ms=</c>, <c>/api-keys?reveal=</c>
/// and <c>/api-keys/legacy</c>; projects created through <c>POST /v1/projects</c> answer the first three too. Bearer token checked (401 <c>{"message"}</c>); 120 requests a minute per project, with
/// <c>X-RateLimit-Limit</c>/<c>-Remaining</c>/<c>-Reset</c> (seconds left) on every answer and 429 past the limit.
/// It also plays the project's API gateway for <c>GET /auth/v1/settings</c>, which needs nothing but a valid
/// <c>apikey</c> (the anon or the service-role key; Storage at <c>/storage/v1</c> is a fake of its own).
/// Accepts <c>--supabase-access-token</c>, <c>--supabase-project-ref</c>, <c>--supabase-anon-key</c> (default: a
/// JWT-shaped anon key); the service-role key is <c>--service-key</c>. Steered through <c>/__fake/supabase-management/…</c>.
/// </summary>
public static partial class SupabaseManagementFake
{
    public const string Prefix = "/supabase-management";
    public const string DefaultToken = SupabaseManagementFakeState.DefaultToken;
    public const string DefaultRef = SupabaseManagementFakeState.DefaultRef;

    /// <summary>The default anon key of project <paramref name="projectRef"/>: a JWT-shaped legacy key.</summary>
    public static string DefaultAnonKey(string projectRef) => SupabaseManagementFakeState.LegacyJwt("anon", projectRef);

    public static void MapSupabaseManagement(this WebApplication app, FakeOptions options)
    {
        var state = SupabaseManagementFakeState.For(app);
        void Reset(string? token, string? projectRef)
        {
            var reference = projectRef ?? app.Configuration["supabase-project-ref"] ?? SupabaseManagementFakeState.DefaultRef;
            state.Reset(token ?? app.Configuration["supabase-access-token"] ?? SupabaseManagementFakeState.DefaultToken, reference,
                app.Configuration["supabase-anon-key"] ?? SupabaseManagementFakeState.LegacyJwt("anon", reference), options.ServiceKey);
        }

        Reset(null, null);
        FaultInjector.For(app).DescribeErrors(Prefix, status => new { message = status == 429 ? "Too many requests" : "Internal server error" });

        var api = app.MapGroup(Prefix + "/v1/projects/{ref}");
        api.MapGet("", (HttpContext c, string @ref) => Handle(state, c, @ref, created: CreatedProject, handler: () => Results.Json(new
        {
            id = state.Ref,
            @ref = state.Ref,
            organization_id = "hotmess-org",
            organization_slug = "hotmess-org",
            name = state.Name,
            region = "eu-west-2",
            created_at = "2025-06-01T10:00:00.000Z",
            status = state.Status,
            database = new { host = $"db.{state.Ref}.supabase.co", version = "15.8.1.054", postgres_engine = "15", release_channel = "ga" },
        })));
        api.MapGet("/health", (HttpContext c, string @ref) => Handle(state, c, @ref, created: project => CreatedProjectHealth(project, c.Request),
            handler: () => Health(c.Request, name => state.Health[name])));
        api.MapGet("/api-keys", (HttpContext c, string @ref) => Handle(state, c, @ref, created: project => ApiKeys(project.Keys, c.Request),
            handler: () => ApiKeys(state.Keys, c.Request)));
        api.MapGet("/api-keys/legacy", (HttpContext c, string @ref) => Handle(state, c, @ref, () => Results.Json(new { enabled = true })));
        app.Map(Prefix + "/{**rest}", (HttpContext c) => Message(404, $"Cannot {c.Request.Method} {c.Request.Path.Value?[Prefix.Length..]}"));

        app.MapGet("/auth/v1/settings", (HttpContext c) => FakeJson.Locked(state.Gate, () =>
        {
            state.Requests.Add(new { method = "GET", path = c.Request.Path.Value, apikey = c.Request.Headers["apikey"].Count > 0 });
            var apiKey = c.Request.Headers["apikey"].ToString();
            if (apiKey.Length == 0)
            {
                return Message(401, "No API key found in request", "No `apikey` request header or url param was found.");
            }

            if (!state.Keys.Concat(state.Created.Values.SelectMany(p => p.Keys)).Any(k => k.Value == apiKey))
            {
                return Message(401, "Invalid API key", "Double check your Supabase `anon` or `service_role` API key.");
            }

            return Results.Json(new
            {
                external = new { email = true, phone = false, google = true, apple = false, github = false },
                disable_signup = false,
                mailer_autoconfirm = false,
                phone_autoconfirm = false,
                sms_provider = "",
                saml_enabled = false,
            });
        }));

        MapControl(app, state, Reset);
    }

    private static IResult ApiKeys(IEnumerable<FakeProjectKey> keys, HttpRequest request)
    {
        var reveal = request.Query["reveal"].ToString();
        if (reveal.Length > 0 && reveal is not ("true" or "false"))
        {
            return Message(400, "reveal must be a boolean string, true or false");
        }

        return Results.Json(keys.Select(k => new Dictionary<string, object?>
        {
            ["api_key"] = k.Type == "secret" && reveal != "true" ? k.Value[..Math.Min(k.Value.Length, 14)] + "····" : k.Value,
            ["id"] = k.Type == "legacy" ? k.Name : k.Id,
            ["type"] = k.Type,
            ["prefix"] = k.Type == "legacy" ? null : k.Value[..Math.Min(k.Value.Length, 14)],
            ["name"] = k.Name,
            ["description"] = k.Type == "legacy" ? $"Legacy {k.Name} API key" : null,
            ["secret_jwt_template"] = k.Type == "secret" ? new Dictionary<string, string> { ["role"] = k.Role } : null,
            ["inserted_at"] = "2025-06-01T10:00:00.000Z",
            ["updated_at"] = "2025-06-01T10:00:00.000Z",
        }));
    }

    /// <summary>
    /// Records the call, then the API's gatekeeping: token, then the per-project rate limit, then the project (the fake's
    /// own, or one created through <c>POST /v1/projects</c> when <paramref name="created"/> serves those).
    /// </summary>
    private static IResult Handle(SupabaseManagementFakeState state, HttpContext context, string projectRef, Func<IResult> handler,
        Func<FakeCreatedProject, IResult>? created = null)
    {
        lock (state.Gate)
        {
            if (Admit(state, context) is { } refused)
            {
                return refused;
            }

            if (!RefPattern().IsMatch(projectRef))
            {
                return Message(400, "Invalid project ref: it must be 20 lowercase letters");
            }

            return projectRef == state.Ref ? handler()
                : created is not null && state.Created.TryGetValue(projectRef, out var project) ? created(project)
                : Message(404, "Project not found");
        }
    }

    /// <summary>Records the call and checks the token and the rate limit: the answer when refused, else null. Under <see cref="SupabaseManagementFakeState.Gate"/>.</summary>
    private static IResult? Admit(SupabaseManagementFakeState state, HttpContext context)
    {
        var request = context.Request;
        state.Requests.Add(new { method = request.Method, path = request.Path.Value, query = request.QueryString.Value });
        var match = BearerPattern().Match(request.Headers.Authorization.ToString());
        if (!match.Success || match.Groups[1].Value.Trim() != state.Token)
        {
            return Message(401, "Unauthorized");
        }

        var now = DateTimeOffset.UtcNow;
        if (now - state.WindowStart >= state.RateWindow)
        {
            state.WindowStart = now;
            state.WindowCount = 0;
        }

        state.WindowCount++;
        var headers = context.Response.Headers;
        var left = state.RateWindow - (now - state.WindowStart);
        headers["X-RateLimit-Limit"] = state.RateLimit.ToString(CultureInfo.InvariantCulture);
        if (state.ForcedRateLimitRemaining > 0 || state.WindowCount > state.RateLimit)
        {
            var reset = state.ForcedRateLimitRemaining > 0 ? state.ForcedResetSeconds : (int)Math.Ceiling(left.TotalSeconds);
            state.ForcedRateLimitRemaining = Math.Max(0, state.ForcedRateLimitRemaining - 1);
            headers["X-RateLimit-Remaining"] = "0";
            headers["X-RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture);
            return Message(429, "Too many requests");
        }

        headers["X-RateLimit-Remaining"] = (state.RateLimit - state.WindowCount).ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = ((int)Math.Ceiling(left.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return null;
    }

    /// <summary>The health answer for the services asked, each service's status and error from <paramref name="serviceHealth"/>.</summary>
    private static IResult Health(HttpRequest request, Func<string, (string Status, string? Error)> serviceHealth)
    {
        var services = request.Query["services"].SelectMany(s => (s ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)).ToList();
        if (services.Count == 0)
        {
            return Message(400, "services is required: one or more of " + string.Join(", ", SupabaseManagementFakeState.Services));
        }

        if (services.FirstOrDefault(s => !SupabaseManagementFakeState.Services.Contains(s)) is { } unknown)
        {
            return Message(400, $"services must be one of {string.Join(", ", SupabaseManagementFakeState.Services)}; got '{unknown}'");
        }

        var timeout = request.Query["timeout_ms"].ToString();
        if (timeout.Length > 0 && (!int.TryParse(timeout, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) || ms is < 0 or > 10_000))
        {
            return Message(400, "timeout_ms must be an integer between 0 and 10000");
        }

        return Results.Json(services.Distinct().Select(name =>
        {
            var (status, error) = serviceHealth(name);
            var entry = new Dictionary<string, object?> { ["name"] = name, ["healthy"] = status == "ACTIVE_HEALTHY", ["status"] = status };
            if (name == "auth")
            {
                entry["info"] = new { name = "GoTrue", version = "v2.170.0", description = "GoTrue is a user registration and authentication API" };
            }
            else if (name == "rest")
            {
                entry["info"] = new { db_schema = "public" };
            }

            if (error is not null)
            {
                entry["error"] = error;
            }

            return entry;
        }));
    }

    private static IResult Message(int status, string message, string? hint = null) =>
        hint is null ? Results.Json(new { message }, statusCode: status) : Results.Json(new { message, hint }, statusCode: status);

    [GeneratedRegex("^Bearer\\s+(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex BearerPattern();

    [GeneratedRegex("^[a-z]{20}$")]
    private static partial Regex RefPattern();

    /// <summary>
    /// Test controls under <c>/__fake/supabase-management</c> (no token needed): <c>POST reset</c> <c>{token?, ref?}</c>;
    /// <c>POST project</c> <c>{status?, name?}</c>; <c>POST health</c> <c>{services:{db:{status, error?}, …}}</c>;
    /// <c>POST keys</c> <c>{anonKey?, serviceRoleKey?, add?:[{name, type: publishable|secret, value}]}</c> replaces the
    /// legacy keys' values (the project's "current" keys) and adds new-style keys; <c>POST rate-limit</c>
    /// <c>{count?, resetSeconds?, limit?}</c>: the next N calls answer 429, and/or a new per-minute limit;
    /// <c>GET state</c> (keys included); <c>GET|DELETE requests</c>.
    /// </summary>
    private static void MapControl(WebApplication app, SupabaseManagementFakeState state, Action<string?, string?> reset)
    {
        var control = app.MapGroup("/__fake/supabase-management");
        control.MapPost("/reset", async (HttpRequest r) => await FakeJson.WithOptionalBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            reset(FakeJson.String(body, "token"), FakeJson.String(body, "ref"));
            return Results.Json(new { state.Ref, state.Token });
        })));
        control.MapPost("/project", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.Status = FakeJson.String(body, "status") ?? state.Status;
            state.Name = FakeJson.String(body, "name") ?? state.Name;
            return Results.Json(new { state.Ref, state.Name, state.Status });
        })));
        control.MapPost("/health", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            if (!body.TryGetProperty("services", out var services) || services.ValueKind != JsonValueKind.Object)
            {
                return Results.BadRequest("Expected {services:{name:{status, error?}}}.");
            }

            foreach (var service in services.EnumerateObject())
            {
                if (!state.Health.ContainsKey(service.Name))
                {
                    return Results.BadRequest($"Unknown service '{service.Name}'.");
                }

                state.Health[service.Name] = (FakeJson.String(service.Value, "status") ?? "ACTIVE_HEALTHY", FakeJson.String(service.Value, "error"));
            }

            return Results.Json(state.Health.ToDictionary(h => h.Key, h => new { status = h.Value.Status, error = h.Value.Error }));
        })));
        control.MapPost("/keys", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            foreach (var (name, property) in new[] { ("anon", "anonKey"), ("service_role", "serviceRoleKey") })
            {
                if (FakeJson.String(body, property) is { Length: > 0 } value)
                {
                    var index = state.Keys.FindIndex(k => k.Type == "legacy" && k.Name == name);
                    state.Keys[index] = state.Keys[index] with { Value = value };
                }
            }

            if (body.TryGetProperty("add", out var add) && add.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in add.EnumerateArray())
                {
                    var type = FakeJson.String(item, "type") ?? "secret";
                    state.Keys.Add(new FakeProjectKey(FakeJson.String(item, "name") ?? type, type, FakeJson.String(item, "value") ?? "",
                        type == "publishable" ? "anon" : "service_role"));
                }
            }

            return Results.Json(new { keys = state.Keys.Select(k => new { k.Name, k.Type, k.Role }) });
        })));
        control.MapPost("/rate-limit", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            state.ForcedRateLimitRemaining = FakeJson.Int(body, "count") ?? state.ForcedRateLimitRemaining;
            state.ForcedResetSeconds = FakeJson.Int(body, "resetSeconds") ?? 1;
            state.RateLimit = FakeJson.Int(body, "limit") ?? state.RateLimit;
            return Results.Json(new { state.ForcedRateLimitRemaining, state.ForcedResetSeconds, state.RateLimit });
        })));
        control.MapGet("/state", () => FakeJson.Locked(state.Gate, () => Results.Json(new
        {
            state.Ref,
            state.Name,
            state.Status,
            state.Token,
            health = state.Health.ToDictionary(h => h.Key, h => new { status = h.Value.Status, error = h.Value.Error }),
            keys = state.Keys.Select(k => new { k.Name, k.Type, k.Role, k.Value }),
        })));
        control.MapGet("/requests", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Requests)));
        control.MapDelete("/requests", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Requests.Clear();
            return Results.Json(new { cleared = true });
        }));
    }
}
