using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Fakes.Vercel;

/// <summary>
/// Vercel REST API fake (api-contracts §3): deployments with <c>until</c> pagination, instant rollback and
/// promote with <c>lastAliasRequest</c> moving over time, redeploy, environment variables with upsert and
/// partial failures, bearer-token and team-scope checks, and 429s with Vercel's signals. It also stands in for
/// the HOTMESS site's <c>/api/health</c>. Tests steer it through <c>/__fake/vercel/…</c> (see <see cref="VercelControl"/>).
/// The token it accepts is <c>--vercel-token</c> (default <c>vercel-test-token</c>).
/// </summary>
public static class VercelFake
{
    /// <summary>The bearer token the fake accepts unless <c>--vercel-token</c> or a reset says otherwise.</summary>
    public const string DefaultToken = "vercel-test-token";

    private static readonly string[] Environments = ["production", "preview", "development"];
    private static readonly string[] VariableTypes = ["system", "encrypted", "plain", "sensitive"];
    private static readonly string[] ApiPrefixes = ["/v1", "/v6", "/v7", "/v9", "/v10", "/v13"];

    public static void MapVercel(this WebApplication app, FakeOptions options)
    {
        var state = new VercelFakeState { Token = app.Configuration["vercel-token"] ?? DefaultToken };
        var injector = FaultInjector.For(app);
        foreach (var prefix in ApiPrefixes)
        {
            injector.DescribeErrors(prefix, InjectedError);
        }

        var api = app.MapGroup("").AddEndpointFilter(async (context, next) =>
        {
            lock (state.Gate)
            {
                var refusal = Admit(state, context.HttpContext);
                if (refusal is not null)
                {
                    return refusal;
                }

                state.Tick();
            }

            return await next(context);
        });

        api.MapGet("/v6/deployments", (HttpRequest r) => Locked(state, () => ListDeployments(state, r)));
        api.MapGet("/v7/deployments", (HttpRequest r) => Locked(state, () => ListDeployments(state, r)));
        api.MapGet("/v13/deployments/{idOrUrl}", (string idOrUrl) => Locked(state, () =>
            state.FindDeployment(idOrUrl) is { } d ? Results.Json(DetailShape(state, d)) : Error(404, "not_found", "Deployment not found")));
        api.MapPost("/v13/deployments", async (HttpRequest r) => await WithBody(r, body => Locked(state, () =>
            body.ValueKind == JsonValueKind.Object && body.TryGetProperty("gitSource", out _) ? DeployFromGit(state, body) : Redeploy(state, body))));

        api.MapGet("/v9/projects/{project}", (string project, HttpRequest r) => Locked(state, () => GetProject(state, project, r)));
        api.MapPost("/v9/projects/{project}/rollback/{deploymentId}", (string project, string deploymentId) =>
            Locked(state, () => RequestAliasChange(state, project, deploymentId, "rollback")));
        api.MapPost("/v1/projects/{project}/rollback/{deploymentId}", (string project, string deploymentId) =>
            Locked(state, () => RequestAliasChange(state, project, deploymentId, "rollback")));
        api.MapPost("/v10/projects/{project}/promote/{deploymentId}", (string project, string deploymentId) =>
            Locked(state, () => RequestAliasChange(state, project, deploymentId, "promote")));
        api.MapGet("/v9/projects/{project}/rollback/aliases", (string project) => Locked(state, () => FailedAliases(state, project)));

        api.MapGet("/v10/projects/{project}/env", (string project, HttpRequest r) => Locked(state, () => ListEnvironment(state, project, r)));
        api.MapGet("/v1/projects/{project}/env/{id}", (string project, string id) => Locked(state, () => GetVariable(state, project, id)));
        api.MapPost("/v10/projects/{project}/env", async (string project, HttpRequest r) =>
            await WithBody(r, body => Locked(state, () => CreateVariables(state, project, body, r.Query["upsert"] == "true"))));
        foreach (var version in new[] { "v9", "v10" })
        {
            api.MapPatch($"/{version}/projects/{{project}}/env/{{id}}", async (string project, string id, HttpRequest r) =>
                await WithBody(r, body => Locked(state, () => UpdateVariable(state, project, id, body))));
            api.MapDelete($"/{version}/projects/{{project}}/env/{{id}}", (string project, string id) =>
                Locked(state, () => DeleteVariable(state, project, id)));
        }

        app.MapGet("/api/health", () => Locked(state, () =>
        {
            state.Tick();
            return state.SiteHealthy
                ? Results.Json(new { status = "ok" })
                : Results.Json(new { status = "unhealthy" }, statusCode: 503);
        }));

        app.MapVercelControl(state);
    }

    /// <summary>Records the call, then applies Vercel's gatekeeping in its order: rate limit, token, team scope.</summary>
    private static IResult? Admit(VercelFakeState state, HttpContext context)
    {
        var request = context.Request;
        state.Requests.Add(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? ""));
        if (state.RateLimitRemaining > 0)
        {
            state.RateLimitRemaining--;
            var retryAfter = state.RateLimitRetryAfterSeconds ?? 1;
            var reset = DateTimeOffset.UtcNow.AddSeconds(retryAfter);
            if (state.RateLimitRetryAfterSeconds is { } seconds)
            {
                context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            }

            context.Response.Headers["X-RateLimit-Limit"] = "100";
            context.Response.Headers["X-RateLimit-Remaining"] = "0";
            context.Response.Headers["X-RateLimit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            return Error(429, "rate_limited", "Rate limit exceeded",
                new { limit = new { remaining = 0, reset = reset.ToUnixTimeSeconds(), resetMs = reset.ToUnixTimeMilliseconds(), total = 100 } });
        }

        var authorization = request.Headers.Authorization.ToString();
        var match = Regex.Match(authorization, @"^Bearer\s+(.+)$", RegexOptions.IgnoreCase);
        if (!match.Success)
        {
            return Error(403, "forbidden", "Not authorized");
        }

        if (match.Groups[1].Value.Trim() != state.Token)
        {
            return Error(403, "forbidden", "Not authorized", new { invalidToken = true });
        }

        if (state.TeamId is not null)
        {
            var teamId = request.Query["teamId"].ToString();
            if (teamId.Length == 0)
            {
                // Without the team scope Vercel looks in the personal account, where the project does not exist.
                return Error(404, "not_found", "Project not found");
            }

            if (teamId != state.TeamId)
            {
                return Error(403, "forbidden", "You don't have permission to access this team");
            }
        }

        return null;
    }

    private static IResult ListDeployments(VercelFakeState state, HttpRequest request)
    {
        var query = request.Query;
        var projectId = query["projectId"].ToString();
        if (projectId.Length > 0 && !state.MatchesProject(projectId))
        {
            return Error(404, "not_found", "Project not found");
        }

        if (!TryInt(query["limit"], 20, out var limit) || limit < 1)
        {
            return Error(400, "bad_request", "Invalid query parameter `limit`");
        }

        limit = Math.Min(limit, 100);
        if (!TryLong(query["until"], out var until) || !TryLong(query["since"], out var since))
        {
            return Error(400, "bad_request", "Invalid query parameter `until` or `since`");
        }

        var target = query["target"].ToString();
        var states = query["state"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => s.ToUpperInvariant()).ToHashSet();
        var matching = state.NewestFirst()
            .Where(d => target.Length == 0 || (target == "production" ? d.IsProduction : target == "preview" ? d.Target is null : d.Target == target))
            .Where(d => states.Count == 0 || states.Contains(d.State))
            .Where(d => until is null || d.CreatedAt < until)
            .Where(d => since is null || d.CreatedAt > since)
            .ToList();
        var page = matching.Take(limit).ToList();
        return Results.Json(new
        {
            pagination = new
            {
                count = page.Count,
                next = matching.Count > page.Count ? page[^1].CreatedAt : (long?)null,
                prev = page.Count > 0 ? page[0].CreatedAt : (long?)null,
            },
            deployments = page.Select(d => ListShape(state, d)),
        });
    }

    private static IResult Redeploy(VercelFakeState state, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return Error(400, "bad_request", "Invalid request body");
        }

        var sourceId = String(body, "deploymentId");
        var name = String(body, "name");
        if (sourceId is null)
        {
            return Error(400, "bad_request", "Missing `files`: this fake only creates deployments from an existing `deploymentId`");
        }

        if (string.IsNullOrEmpty(name))
        {
            return Error(400, "bad_request", "Invalid request: missing required property `name`");
        }

        if (state.FindDeployment(sourceId) is not { } source)
        {
            return Error(404, "not_found", "Deployment not found");
        }

        var target = String(body, "target");
        if (target is not null and not ("production" or "preview" or "staging"))
        {
            return Error(400, "bad_request", $"Invalid target `{target}`");
        }

        var meta = new Dictionary<string, string>(source.Meta);
        if (body.TryGetProperty("meta", out var bodyMeta) && bodyMeta.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in bodyMeta.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.String))
            {
                meta[property.Name] = property.Value.GetString()!;
            }
        }

        var buildFails = state.FailingBuilds > 0;
        if (buildFails)
        {
            state.FailingBuilds--;
        }

        var uid = VercelFakeState.NewId("dpl_");
        var created = new FakeDeployment
        {
            Uid = uid,
            Name = name,
            Url = $"{name}-{uid[4..13]}-hotmess.vercel.app",
            Target = target == "preview" ? null : target,
            CreatedAt = Math.Max(VercelFakeState.NowMs(), (state.Deployments.Count == 0 ? 0 : state.Deployments.Max(d => d.CreatedAt)) + 1),
            State = "QUEUED",
            Meta = meta,
            Source = "redeploy",
            Timed = true,
            BuildFails = buildFails,
            Healthy = source.Healthy,
        };
        state.Deployments.Add(created);
        return Results.Json(DetailShape(state, created));
    }

    /// <summary>
    /// §11: a deployment built from the project's repository. The <c>gitSource</c> must name the connected repository
    /// (GitHub repoId or org/repo, GitLab projectId, Bitbucket uuids or owner/slug) and a ref it has (or a 40-hex sha).
    /// </summary>
    private static IResult DeployFromGit(VercelFakeState state, JsonElement body)
    {
        var name = String(body, "name");
        if (string.IsNullOrEmpty(name))
        {
            return Error(400, "bad_request", "Invalid request: missing required property `name`");
        }

        if (String(body, "project") is { } project && !state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        if (body.TryGetProperty("files", out _))
        {
            return Error(400, "bad_request", "Invalid request: `gitSource` cannot be combined with `files`");
        }

        var source = body.GetProperty("gitSource");
        var type = String(source, "type");
        var gitRef = String(source, "ref");
        if (type is not ("github" or "gitlab" or "bitbucket") || string.IsNullOrEmpty(gitRef))
        {
            return Error(400, "bad_request", "Invalid request: `gitSource` needs a `type` (github, gitlab, bitbucket) and a `ref`");
        }

        var link = state.Link;
        var sameRepository = link is not null && link.Type == type && type switch
        {
            "github" => source.TryGetProperty("repoId", out var repoId)
                ? (repoId.ValueKind == JsonValueKind.Number ? repoId.GetInt64().ToString(CultureInfo.InvariantCulture) : repoId.ToString()) == link.RepoId?.ToString(CultureInfo.InvariantCulture)
                : String(source, "org") == link.Org && String(source, "repo") == link.Repo,
            "gitlab" => source.TryGetProperty("projectId", out var projectId) && projectId.ToString() == link.ProjectId,
            _ => (String(source, "workspaceUuid") == link.WorkspaceUuid && String(source, "repoUuid") == link.RepoUuid && link.RepoUuid is not null) ||
                 (String(source, "owner") == link.Org && String(source, "slug") == link.Repo),
        };
        if (!sameRepository)
        {
            return Error(400, "incorrect_git_source_info", "The provided `gitSource` does not match a repository connected to this project");
        }

        var isSha = Regex.IsMatch(gitRef, "^[0-9a-f]{40}$");
        if (!isSha && !link!.Refs.Contains(gitRef))
        {
            return Error(400, "incorrect_git_source_info", $"Could not find the ref `{gitRef}` in {link.Org}/{link.Repo}");
        }

        var target = String(body, "target");
        if (target is not null and not ("production" or "staging"))
        {
            return Error(400, "bad_request", $"Invalid target `{target}`");
        }

        var buildFails = state.FailingBuilds > 0;
        if (buildFails)
        {
            state.FailingBuilds--;
        }

        var uid = VercelFakeState.NewId("dpl_");
        var sha = isSha ? gitRef : Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.UTF8.GetBytes(gitRef + uid))).ToLowerInvariant();
        var created = new FakeDeployment
        {
            Uid = uid,
            Name = name,
            Url = $"{name}-{uid[4..13]}-hotmess.vercel.app",
            Target = target,
            CreatedAt = Math.Max(VercelFakeState.NowMs(), (state.Deployments.Count == 0 ? 0 : state.Deployments.Max(d => d.CreatedAt)) + 1),
            State = "QUEUED",
            Meta = new Dictionary<string, string>
            {
                [$"{type}CommitRef"] = isSha ? "" : gitRef,
                [$"{type}CommitSha"] = sha,
                [$"{type}Org"] = link!.Org ?? "",
                [$"{type}Repo"] = link.Repo ?? "",
            },
            Source = "git",
            Timed = true,
            BuildFails = buildFails,
        };
        state.Deployments.Add(created);
        return Results.Json(DetailShape(state, created));
    }

    private static IResult GetProject(VercelFakeState state, string project, HttpRequest request)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        var shape = new Dictionary<string, object?>
        {
            ["id"] = state.ProjectId,
            ["name"] = state.ProjectName,
            ["accountId"] = state.TeamId ?? "usr_hotmess",
            ["framework"] = "vite",
            ["createdAt"] = 1_700_000_000_000L,
            ["updatedAt"] = VercelFakeState.NowMs(),
            ["link"] = state.Link is not { } link ? null : new Dictionary<string, object?>
            {
                ["type"] = link.Type,
                ["org"] = link.Type == "github" ? link.Org : null,
                ["repo"] = link.Type == "github" ? link.Repo : null,
                ["repoId"] = link.RepoId,
                ["projectId"] = link.ProjectId,
                ["projectNamespace"] = link.Type == "gitlab" ? link.Org : null,
                ["projectName"] = link.Type == "gitlab" ? link.Repo : null,
                ["owner"] = link.Type == "bitbucket" ? link.Org : null,
                ["slug"] = link.Type == "bitbucket" ? link.Repo : null,
                ["workspaceUuid"] = link.WorkspaceUuid,
                ["uuid"] = link.RepoUuid,
                ["productionBranch"] = link.ProductionBranch,
                ["deployHooks"] = Array.Empty<object>(),
                ["createdAt"] = 1_700_000_000_000L,
            },
        };
        if (request.Query["rollbackInfo"] == "true")
        {
            shape["lastAliasRequest"] = state.LastAliasRequest is { } r
                ? new { fromDeploymentId = r.FromDeploymentId, toDeploymentId = r.ToDeploymentId, jobStatus = r.JobStatus, requestedAt = r.RequestedAt, type = r.Type }
                : null;
        }

        return Results.Json(shape);
    }

    /// <summary>Instant rollback (§3.4) and promote (§3.3): 201 with no body, then <c>lastAliasRequest</c> moves on with the clock.</summary>
    private static IResult RequestAliasChange(VercelFakeState state, string project, string deploymentId, string type)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        if (state.FindDeployment(deploymentId) is not { } target)
        {
            return Error(404, "not_found", "Deployment not found");
        }

        if (!target.IsProduction)
        {
            return Error(400, "bad_request", $"Deployment {target.Uid} is not a production deployment and cannot be used for {type}");
        }

        if (target.State != "READY")
        {
            return Error(400, "bad_request", $"Deployment {target.Uid} is not ready ({target.State})");
        }

        if (state.LastAliasRequest is { Finished: false } running)
        {
            return Error(409, "conflict", $"A {running.Type} to {running.ToDeploymentId} is already in progress");
        }

        if (target.Uid == state.CurrentProductionId)
        {
            return Error(400, "bad_request", $"Deployment {target.Uid} is already the current production deployment");
        }

        state.LastAliasRequest = new FakeAliasRequest
        {
            FromDeploymentId = state.CurrentProductionId,
            ToDeploymentId = target.Uid,
            Type = type,
            RequestedAt = VercelFakeState.NowMs(),
        };
        return Results.StatusCode(201);
    }

    private static IResult FailedAliases(VercelFakeState state, string project)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        var failed = state.LastAliasRequest is { Type: "rollback", JobStatus: "failed" } r
            ? state.ProductionAliases.Select((alias, i) => new
            {
                alias = new { alias, deploymentId = r.ToDeploymentId },
                id = $"alias_{i + 1}",
                status = "failed",
            }).ToArray()
            : [];
        return Results.Json(new { aliases = failed, pagination = new { count = failed.Length, next = (long?)null, prev = (long?)null } });
    }

    private static IResult ListEnvironment(VercelFakeState state, string project, HttpRequest request)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        var target = request.Query["target"].ToString();
        var decrypt = request.Query["decrypt"] == "true";
        return Results.Json(new
        {
            envs = state.Environment
                .Where(v => target.Length == 0 || v.Target.Contains(target))
                .Select(v => VariableShape(v, decrypt)),
        });
    }

    private static IResult GetVariable(VercelFakeState state, string project, string id)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        return state.Environment.FirstOrDefault(v => v.Id == id) is { } variable
            ? Results.Json(VariableShape(variable, decrypt: true))
            : Error(404, "not_found", "Environment variable not found");
    }

    /// <summary>§3.6 create/upsert: an object or an array; always 201, with rejected entries in <c>failed</c>.</summary>
    private static IResult CreateVariables(VercelFakeState state, string project, JsonElement body, bool upsert)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        if (body.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return Error(400, "bad_request", "Invalid request body");
        }

        var items = body.ValueKind == JsonValueKind.Array ? body.EnumerateArray().ToList() : [body];
        var created = new List<object>();
        var failed = new List<object>();
        foreach (var item in items)
        {
            var key = item.ValueKind == JsonValueKind.Object ? String(item, "key") : null;
            var value = item.ValueKind == JsonValueKind.Object ? String(item, "value") : null;
            var type = item.ValueKind == JsonValueKind.Object ? String(item, "type") ?? "encrypted" : null;
            var targets = item.ValueKind == JsonValueKind.Object ? Targets(item) : null;
            var gitBranch = item.ValueKind == JsonValueKind.Object ? String(item, "gitBranch") : null;
            string? problem = key is null || !Regex.IsMatch(key, "^[A-Za-z_][A-Za-z0-9_]*$") ? "Invalid or missing `key`"
                : value is null ? "Missing `value`"
                : !VariableTypes.Contains(type) ? $"Invalid `type` {type}"
                : targets is null || targets.Count == 0 || targets.Any(t => !Environments.Contains(t)) ? "Invalid or missing `target`"
                : null;
            if (problem is not null)
            {
                failed.Add(new { error = new { code = "bad_request", message = problem, key } });
                continue;
            }

            if (state.FailingKeys.TryGetValue(key!, out var failure))
            {
                failed.Add(new { error = new { code = failure.Code, message = failure.Message, key } });
                continue;
            }

            var overlapping = state.Environment
                .Where(v => v.Key == key && v.GitBranch == gitBranch && v.Target.Intersect(targets!).Any())
                .ToList();
            if (overlapping.Count > 0 && !upsert)
            {
                failed.Add(new
                {
                    error = new
                    {
                        code = "ENV_ALREADY_EXISTS",
                        message = $"A variable with the name `{key}` already exists for the target {string.Join(",", overlapping[0].Target.Intersect(targets!))} on branch {gitBranch ?? "undefined"}",
                        key,
                        envVarId = overlapping[0].Id,
                    },
                });
                continue;
            }

            var now = VercelFakeState.NowMs();
            FakeEnvironmentVariable saved;
            if (overlapping.Count > 0)
            {
                saved = overlapping[0];
                saved.Value = value!;
                saved.Type = type!;
                saved.Target = targets!.Distinct().ToList();
                saved.Comment = String(item, "comment") ?? saved.Comment;
                saved.UpdatedAt = now;
                // The targets now taken by the saved variable leave the other overlapping ones.
                foreach (var other in overlapping.Skip(1))
                {
                    other.Target.RemoveAll(targets!.Contains);
                    if (other.Target.Count == 0)
                    {
                        state.Environment.Remove(other);
                    }
                }
            }
            else
            {
                saved = new FakeEnvironmentVariable
                {
                    Id = VercelFakeState.NewId("env_"),
                    Key = key!,
                    Value = value!,
                    Type = type!,
                    Target = targets!.Distinct().ToList(),
                    GitBranch = gitBranch,
                    Comment = String(item, "comment"),
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                state.Environment.Add(saved);
            }

            created.Add(VariableShape(saved, decrypt: false));
        }

        object createdShape = body.ValueKind == JsonValueKind.Array ? created : created.Count == 1 ? created[0] : new { };
        return Results.Json(new { created = createdShape, failed }, statusCode: 201);
    }

    private static IResult UpdateVariable(VercelFakeState state, string project, string id, JsonElement body)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        if (state.Environment.FirstOrDefault(v => v.Id == id) is not { } variable)
        {
            return Error(404, "not_found", "Environment variable not found");
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return Error(400, "bad_request", "Invalid request body");
        }

        var type = String(body, "type");
        var targets = body.TryGetProperty("target", out _) ? Targets(body) : null;
        if (type is not null && !VariableTypes.Contains(type))
        {
            return Error(400, "bad_request", $"Invalid `type` {type}");
        }

        if (targets is not null && (targets.Count == 0 || targets.Any(t => !Environments.Contains(t))))
        {
            return Error(400, "bad_request", "Invalid `target`");
        }

        variable.Key = String(body, "key") ?? variable.Key;
        variable.Value = String(body, "value") ?? variable.Value;
        variable.Type = type ?? variable.Type;
        variable.Target = targets ?? variable.Target;
        variable.Comment = String(body, "comment") ?? variable.Comment;
        variable.UpdatedAt = VercelFakeState.NowMs();
        return Results.Json(VariableShape(variable, decrypt: false));
    }

    private static IResult DeleteVariable(VercelFakeState state, string project, string id)
    {
        if (!state.MatchesProject(project))
        {
            return Error(404, "not_found", "Project not found");
        }

        if (state.Environment.FirstOrDefault(v => v.Id == id) is not { } variable)
        {
            return Error(404, "not_found", "Environment variable not found");
        }

        state.Environment.Remove(variable);
        return Results.Json(VariableShape(variable, decrypt: false));
    }

    internal static object ListShape(VercelFakeState state, FakeDeployment d) => new Dictionary<string, object?>
    {
        ["uid"] = d.Uid,
        ["name"] = d.Name,
        ["projectId"] = state.ProjectId,
        ["url"] = d.State == "QUEUED" ? null : d.Url,
        ["created"] = d.CreatedAt,
        ["createdAt"] = d.CreatedAt,
        ["state"] = d.State,
        ["readyState"] = d.State,
        ["readySubstate"] = d.State == "READY" && d.IsProduction ? d.ReadySubstate ?? "STAGED" : null,
        ["target"] = d.Target,
        ["type"] = "LAMBDAS",
        ["source"] = d.Source,
        ["meta"] = d.Meta,
        ["creator"] = new { uid = "usr_hotmess", username = "hotmess-ci" },
        ["inspectorUrl"] = $"https://vercel.com/hotmess/{state.ProjectName}/{d.Uid[4..]}",
        ["isRollbackCandidate"] = d.IsRollbackCandidate,
        ["buildingAt"] = d.BuildingAt,
        ["ready"] = d.ReadyAt,
        ["aliasAssigned"] = d.Uid == state.CurrentProductionId ? d.ReadyAt ?? d.CreatedAt : (long?)null,
        ["aliasError"] = null,
        ["errorCode"] = d.ErrorCode,
        ["errorMessage"] = d.ErrorMessage,
    };

    internal static object DetailShape(VercelFakeState state, FakeDeployment d) => new Dictionary<string, object?>
    {
        ["id"] = d.Uid,
        ["name"] = d.Name,
        ["projectId"] = state.ProjectId,
        ["url"] = d.Url,
        ["createdAt"] = d.CreatedAt,
        ["readyState"] = d.State,
        ["status"] = d.State,
        ["readySubstate"] = d.State == "READY" && d.IsProduction ? d.ReadySubstate ?? "STAGED" : null,
        ["target"] = d.Target,
        ["type"] = "LAMBDAS",
        ["source"] = d.Source,
        ["meta"] = d.Meta,
        ["alias"] = d.Uid == state.CurrentProductionId ? state.ProductionAliases : Array.Empty<string>(),
        ["aliasAssigned"] = d.Uid == state.CurrentProductionId,
        ["aliasError"] = null,
        ["creator"] = new { uid = "usr_hotmess", username = "hotmess-ci" },
        ["inspectorUrl"] = $"https://vercel.com/hotmess/{state.ProjectName}/{d.Uid[4..]}",
        ["isRollbackCandidate"] = d.IsRollbackCandidate,
        ["buildingAt"] = d.BuildingAt,
        ["ready"] = d.ReadyAt,
        ["errorCode"] = d.ErrorCode,
        ["errorMessage"] = d.ErrorMessage,
    };

    private static object VariableShape(FakeEnvironmentVariable v, bool decrypt)
    {
        var readable = v.Type is "plain" or "system" || (decrypt && v.Type == "encrypted");
        return new Dictionary<string, object?>
        {
            ["id"] = v.Id,
            ["key"] = v.Key,
            ["value"] = v.Type == "sensitive" ? "" : readable ? v.Value : VercelFakeState.Ciphertext(v),
            ["type"] = v.Type,
            ["target"] = v.Target,
            ["gitBranch"] = v.GitBranch,
            ["comment"] = v.Comment,
            ["configurationId"] = null,
            ["createdAt"] = v.CreatedAt,
            ["updatedAt"] = v.UpdatedAt,
            ["decrypted"] = decrypt && v.Type == "encrypted",
        };
    }

    /// <summary>How Vercel words the 500s and 429s that <see cref="FaultInjector"/> injects.</summary>
    private static object InjectedError(int status) => status == 429
        ? new { error = new { code = "rate_limited", message = "Rate limit exceeded" } }
        : new { error = new { code = "internal_server_error", message = "An unexpected internal error occurred" } };

    internal static IResult Error(int status, string code, string message, object? extra = null)
    {
        var error = new Dictionary<string, object?> { ["code"] = code, ["message"] = message };
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                error[property.Name] = property.Value;
            }
        }

        return Results.Json(new { error }, statusCode: status);
    }

    internal static IResult Locked(VercelFakeState state, Func<IResult> handler)
    {
        lock (state.Gate)
        {
            return handler();
        }
    }

    internal static async Task<IResult> WithBody(HttpRequest request, Func<JsonElement, IResult> handler)
    {
        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Error(400, "bad_request", "Invalid JSON body");
        }

        return handler(body);
    }

    internal static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string>? Targets(JsonElement element) =>
        !element.TryGetProperty("target", out var target) ? null
        : target.ValueKind == JsonValueKind.Array ? target.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList()
        : target.ValueKind == JsonValueKind.String ? [target.GetString()!]
        : null;

    private static bool TryInt(string? text, int fallback, out int value)
    {
        value = fallback;
        return string.IsNullOrEmpty(text) || int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private static bool TryLong(string? text, out long? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        var ok = long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed);
        value = parsed;
        return ok;
    }
}
