using System.Text.Json;

namespace Hotmess.Recovery.Fakes.Vercel;

/// <summary>
/// Test controls of the Vercel fake, under <c>/__fake/vercel</c> (no token needed):
/// <list type="bullet">
/// <item><c>POST reset</c> <c>{token?, projectId?, projectName?, teamId?, stepMs?, link?}</c>: empty project, fresh settings;
/// <c>link</c> is the Git connection (<c>{type, org?, repo?, repoId?, projectId?, workspaceUuid?, repoUuid?, productionBranch?, refs?}</c>,
/// <c>null</c> for none; GitHub hotmess-london/hotmess with main, develop and v1.0.0 when left out).</item>
/// <item><c>POST deployments</c> <c>{deployments:[{uid?, target?, state?, createdAt? | ageMinutes?, healthy?, rollbackFails?,
/// rollbackHangs?, isRollbackCandidate?, commitSha?, commitRef?}], current?}</c>: adds deployments; production
/// follows the newest READY production one unless <c>current</c> says otherwise or a rollback pinned it.</item>
/// <item><c>PATCH deployments/{uid}</c> <c>{rollbackFails?, rollbackHangs?}</c>: how a rollback to it ends.</item>
/// <item><c>POST builds/fail</c> <c>{count}</c>: the next N builds end in ERROR.</item>
/// <item><c>POST env</c> <c>{variables:[{key, value, type?, target[], gitBranch?}]}</c>; <c>POST env/failures</c>
/// <c>{key, code?, message?}</c> lists that key in <c>failed</c> on create; <c>DELETE env/failures</c>.</item>
/// <item><c>POST rate-limit</c> <c>{count, retryAfterSeconds?}</c>: the next N API calls answer 429
/// (<c>retryAfterSeconds: null</c> leaves out Retry-After, keeping X-RateLimit-Reset and the body's limit).</item>
/// <item><c>POST site</c> <c>{healthy: true|false|null}</c>: forces <c>/api/health</c>; null follows production.</item>
/// <item><c>GET state</c>: the whole state, variable values included; <c>GET|DELETE requests</c>: calls received.</item>
/// </list>
/// </summary>
internal static class VercelControl
{
    public static void MapVercelControl(this WebApplication app, VercelFakeState state)
    {
        var control = app.MapGroup("/__fake/vercel");

        control.MapPost("/reset", async (HttpRequest r) => await OptionalBody(r, body => VercelFake.Locked(state, () =>
        {
            state.Token = VercelFake.String(body, "token") ?? app.Configuration["vercel-token"] ?? VercelFake.DefaultToken;
            state.ProjectId = VercelFake.String(body, "projectId") ?? "prj_hotmess";
            state.ProjectName = VercelFake.String(body, "projectName") ?? "hotmess";
            state.TeamId = VercelFake.String(body, "teamId") is { Length: > 0 } teamId ? teamId : null;
            state.StepMs = Int(body, "stepMs") ?? 300;
            state.Link = body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("link", out var link) ? FakeGitLink.Default()
                : link.ValueKind == JsonValueKind.Null ? null
                : new FakeGitLink
                {
                    Type = VercelFake.String(link, "type") ?? "github",
                    Org = VercelFake.String(link, "org"),
                    Repo = VercelFake.String(link, "repo"),
                    RepoId = Long(link, "repoId"),
                    ProjectId = VercelFake.String(link, "projectId"),
                    WorkspaceUuid = VercelFake.String(link, "workspaceUuid"),
                    RepoUuid = VercelFake.String(link, "repoUuid"),
                    ProductionBranch = VercelFake.String(link, "productionBranch") ?? "main",
                    Refs = link.TryGetProperty("refs", out var refs) && refs.ValueKind == JsonValueKind.Array
                        ? refs.EnumerateArray().Select(r => r.GetString()!).ToList()
                        : ["main", "develop", "v1.0.0"],
                };
            state.Deployments.Clear();
            state.Environment.Clear();
            state.CurrentProductionId = null;
            state.AutoAssignDisabled = false;
            state.LastAliasRequest = null;
            state.RateLimitRemaining = 0;
            state.RateLimitRetryAfterSeconds = 1;
            state.FailingKeys.Clear();
            state.FailingBuilds = 0;
            state.SiteHealthOverride = null;
            state.Requests.Clear();
            return Results.Json(new { state.ProjectId, state.ProjectName, state.TeamId, state.StepMs });
        })));

        control.MapPost("/deployments", async (HttpRequest r) => await VercelFake.WithBody(r, body => VercelFake.Locked(state, () =>
        {
            if (!body.TryGetProperty("deployments", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return Results.BadRequest("Expected {deployments:[…]}.");
            }

            var now = VercelFakeState.NowMs();
            var added = new List<string>();
            foreach (var item in list.EnumerateArray())
            {
                var uid = VercelFake.String(item, "uid") ?? VercelFakeState.NewId("dpl_");
                var target = VercelFake.String(item, "target");
                var createdAt = Long(item, "createdAt") ?? now - (long)((Double(item, "ageMinutes") ?? added.Count + 1) * 60_000);
                var deployment = new FakeDeployment
                {
                    Uid = uid,
                    Name = state.ProjectName,
                    Url = $"{state.ProjectName}-{uid.Replace("dpl_", "", StringComparison.Ordinal).ToLowerInvariant()}-hotmess.vercel.app",
                    Target = target == "preview" ? null : target,
                    CreatedAt = createdAt,
                    State = (VercelFake.String(item, "state") ?? "READY").ToUpperInvariant(),
                    IsRollbackCandidate = Bool(item, "isRollbackCandidate") ?? target == "production",
                    Healthy = Bool(item, "healthy") ?? true,
                    RollbackFails = Bool(item, "rollbackFails") ?? false,
                    RollbackHangs = Bool(item, "rollbackHangs") ?? false,
                    Meta = new Dictionary<string, string>
                    {
                        ["githubCommitSha"] = VercelFake.String(item, "commitSha") ?? Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(uid))).ToLowerInvariant(),
                        ["githubCommitRef"] = VercelFake.String(item, "commitRef") ?? (target == "production" ? "main" : "develop"),
                    },
                    ReadyAt = createdAt + 60_000,
                    BuildingAt = createdAt + 1_000,
                };
                if (deployment.State == "ERROR")
                {
                    deployment.ErrorCode = "BUILD_FAILED";
                    deployment.ErrorMessage = "Command \"npm run build\" exited with 1";
                }

                state.Deployments.Add(deployment);
                added.Add(uid);
            }

            if (VercelFake.String(body, "current") is { } current)
            {
                if (state.FindDeployment(current) is not { } pinned)
                {
                    return Results.BadRequest($"No deployment {current}.");
                }

                state.CurrentProductionId = pinned.Uid;
                pinned.ReadySubstate = "PROMOTED";
            }
            else
            {
                state.AssignProductionIfAutomatic();
            }

            return Results.Json(new { added, currentProductionId = state.CurrentProductionId });
        })));

        control.MapPatch("/deployments/{uid}", async (string uid, HttpRequest r) => await VercelFake.WithBody(r, body => VercelFake.Locked(state, () =>
        {
            if (state.FindDeployment(uid) is not { } deployment)
            {
                return Results.NotFound($"No deployment {uid}.");
            }

            deployment.RollbackFails = Bool(body, "rollbackFails") ?? deployment.RollbackFails;
            deployment.RollbackHangs = Bool(body, "rollbackHangs") ?? deployment.RollbackHangs;
            return Results.Json(new { deployment.Uid, deployment.RollbackFails, deployment.RollbackHangs });
        })));

        control.MapPost("/builds/fail", async (HttpRequest r) => await VercelFake.WithBody(r, body => VercelFake.Locked(state, () =>
        {
            state.FailingBuilds = Int(body, "count") ?? 1;
            return Results.Json(new { state.FailingBuilds });
        })));

        control.MapPost("/env", async (HttpRequest r) => await VercelFake.WithBody(r, body => VercelFake.Locked(state, () =>
        {
            if (!body.TryGetProperty("variables", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return Results.BadRequest("Expected {variables:[…]}.");
            }

            if (list.EnumerateArray().Any(item => VercelFake.String(item, "key") is null))
            {
                return Results.BadRequest("Every variable needs a key.");
            }

            var now = VercelFakeState.NowMs();
            var ids = new List<string>();
            foreach (var item in list.EnumerateArray())
            {
                var variable = new FakeEnvironmentVariable
                {
                    Id = VercelFakeState.NewId("env_"),
                    Key = VercelFake.String(item, "key")!,
                    Value = VercelFake.String(item, "value") ?? "",
                    Type = VercelFake.String(item, "type") ?? "encrypted",
                    Target = !item.TryGetProperty("target", out var t) ? ["production", "preview", "development"]
                        : t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(e => e.GetString()!).ToList()
                        : [t.GetString()!],
                    GitBranch = VercelFake.String(item, "gitBranch"),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                state.Environment.Add(variable);
                ids.Add(variable.Id);
            }

            return Results.Json(new { ids });
        })));

        control.MapPost("/env/failures", async (HttpRequest r) => await VercelFake.WithBody(r, body => VercelFake.Locked(state, () =>
        {
            var key = VercelFake.String(body, "key");
            if (key is null)
            {
                return Results.BadRequest("Expected {key, code?, message?}.");
            }

            state.FailingKeys[key] = (VercelFake.String(body, "code") ?? "bad_request", VercelFake.String(body, "message") ?? "The value could not be saved.");
            return Results.Json(new { failing = state.FailingKeys.Keys });
        })));

        control.MapDelete("/env/failures", () => VercelFake.Locked(state, () =>
        {
            state.FailingKeys.Clear();
            return Results.Json(new { failing = Array.Empty<string>() });
        }));

        control.MapPost("/rate-limit", async (HttpRequest r) => await VercelFake.WithBody(r, body => VercelFake.Locked(state, () =>
        {
            state.RateLimitRemaining = Int(body, "count") ?? 1;
            state.RateLimitRetryAfterSeconds = body.TryGetProperty("retryAfterSeconds", out var retry)
                ? retry.ValueKind == JsonValueKind.Null ? null : retry.GetInt32()
                : 1;
            return Results.Json(new { count = state.RateLimitRemaining, retryAfterSeconds = state.RateLimitRetryAfterSeconds });
        })));

        control.MapPost("/site", async (HttpRequest r) => await VercelFake.WithBody(r, body => VercelFake.Locked(state, () =>
        {
            state.SiteHealthOverride = Bool(body, "healthy");
            return Results.Json(new { healthy = state.SiteHealthy });
        })));

        control.MapGet("/state", () => VercelFake.Locked(state, () =>
        {
            state.Tick();
            return Results.Json(new
            {
                state.ProjectId,
                state.ProjectName,
                state.TeamId,
                link = state.Link,
                currentProductionId = state.CurrentProductionId,
                autoAssignDisabled = state.AutoAssignDisabled,
                lastAliasRequest = state.LastAliasRequest,
                siteHealthy = state.SiteHealthy,
                deployments = state.NewestFirst().Select(d => VercelFake.ListShape(state, d)),
                environment = state.Environment.Select(v => new { v.Id, v.Key, v.Value, v.Type, v.Target, v.GitBranch }),
            });
        }));

        control.MapGet("/requests", () => VercelFake.Locked(state, () => Results.Json(state.Requests.ToList())));
        control.MapDelete("/requests", () => VercelFake.Locked(state, () =>
        {
            state.Requests.Clear();
            return Results.Json(new { cleared = true });
        }));
    }

    private static async Task<IResult> OptionalBody(HttpRequest request, Func<JsonElement, IResult> handler) =>
        request.ContentLength is null or 0 && !request.Headers.ContentType.Any()
            ? handler(default)
            : await VercelFake.WithBody(request, handler);

    private static int? Int(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    private static long? Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : null;

    private static double? Double(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
}
