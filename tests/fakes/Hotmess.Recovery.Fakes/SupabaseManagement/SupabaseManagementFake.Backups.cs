using System.Globalization;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes.SupabaseManagement;

/// <summary>
/// The project's managed backups (api-contracts §2.1–2.2): <c>GET /v1/projects/{ref}/database/backups</c>,
/// <c>POST …/database/backups/restore</c> <c>{id}</c> and <c>POST …/database/backups/restore-pitr</c>
/// <c>{recovery_time_target_unix}</c>, both 201 with an empty body. A restore puts the project in <c>RESTORING</c>
/// and, after the configured delay, in <c>ACTIVE_HEALTHY</c> (or <c>RESTORE_FAILED</c>). PITR projects list no daily
/// backups and give their window in <c>physical_backup_data</c>, as the CLI renders them. Token, rate limit and
/// project are checked as for every other endpoint; a token marked as limited gets 403 here.
/// </summary>
public static partial class SupabaseManagementFake
{
    public static void MapSupabaseBackups(this WebApplication app, FakeOptions options)
    {
        var project = SupabaseManagementFakeState.For(app);
        var backups = new SupabaseBackupsFakeState();
        lock (project.Gate)
        {
            backups.Reset(DateTimeOffset.UtcNow);
            project.OnReset.Add(() => backups.Reset(DateTimeOffset.UtcNow));
        }

        var api = app.MapGroup(Prefix + "/v1/projects/{ref}/database/backups");
        api.MapGet("", (HttpContext c, string @ref) => HandleBackups(project, backups, c, @ref, () => ListBackups(backups)));
        api.MapPost("/restore", async (HttpContext c, string @ref) =>
        {
            using var body = await ReadBodyAsync(c.Request);
            return HandleBackups(project, backups, c, @ref, () => RestoreDaily(project, backups, body?.RootElement));
        });
        api.MapPost("/restore-pitr", async (HttpContext c, string @ref) =>
        {
            using var body = await ReadBodyAsync(c.Request);
            return HandleBackups(project, backups, c, @ref, () => RestorePointInTime(project, backups, body?.RootElement));
        });

        MapBackupControl(app, project, backups);
    }

    private static IResult HandleBackups(SupabaseManagementFakeState project, SupabaseBackupsFakeState backups, HttpContext context, string projectRef,
        Func<IResult> handler)
    {
        lock (project.Gate)
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            if (backups.LimitedToken is { } limited && BearerPattern().Match(authorization) is { Success: true } match && match.Groups[1].Value.Trim() == limited)
            {
                project.Requests.Add(new { method = context.Request.Method, path = context.Request.Path.Value, query = context.Request.QueryString.Value });
                return Message(403, "Your account does not have the necessary privileges to access this endpoint. For more details, refer to our documentation https://supabase.com/docs/guides/platform/access-control");
            }

            return Handle(project, context, projectRef, handler);
        }
    }

    private static IResult ListBackups(SupabaseBackupsFakeState backups)
    {
        var (earliest, latest) = backups.Window(DateTimeOffset.UtcNow);
        return Results.Json(new Dictionary<string, object?>
        {
            ["region"] = "eu-west-2",
            ["walg_enabled"] = backups.WalgEnabled,
            ["pitr_enabled"] = backups.PitrEnabled,
            ["backups"] = (backups.PitrEnabled ? [] : backups.Backups).Select(b => new Dictionary<string, object>
            {
                ["id"] = b.Id,
                ["is_physical_backup"] = b.IsPhysicalBackup,
                ["status"] = b.Status,
                ["inserted_at"] = b.InsertedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            }),
            ["physical_backup_data"] = backups.PitrEnabled
                ? new Dictionary<string, long> { ["earliest_physical_backup_date_unix"] = earliest, ["latest_physical_backup_date_unix"] = latest }
                : new Dictionary<string, long>(),
        });
    }

    private static IResult RestoreDaily(SupabaseManagementFakeState project, SupabaseBackupsFakeState backups, JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("id", out var idValue)
            || idValue.ValueKind != JsonValueKind.Number || !idValue.TryGetInt64(out var id))
        {
            return Message(400, "id must be an integer");
        }

        if (Busy(project) is { } busy)
        {
            return busy;
        }

        if (backups.PitrEnabled || !backups.Backups.Any(x => x.Id == id && x.Status == "COMPLETED"))
        {
            return Message(400, $"Backup {id} not found or not restorable");
        }

        StartRestore(project, backups, new { kind = "daily", id, at = DateTimeOffset.UtcNow });
        return Results.StatusCode(201);
    }

    private static IResult RestorePointInTime(SupabaseManagementFakeState project, SupabaseBackupsFakeState backups, JsonElement? body)
    {
        if (body is not { ValueKind: JsonValueKind.Object } b || !b.TryGetProperty("recovery_time_target_unix", out var value)
            || value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var target) || target < 0)
        {
            return Message(400, "recovery_time_target_unix must be an integer >= 0");
        }

        if (Busy(project) is { } busy)
        {
            return busy;
        }

        if (!backups.PitrEnabled)
        {
            return Message(400, "Point in time recovery is not enabled for this project");
        }

        var (earliest, latest) = backups.Window(DateTimeOffset.UtcNow);
        if (target < earliest || target > latest)
        {
            return Message(400, $"Recovery time target {target} is outside the available range {earliest}-{latest}");
        }

        StartRestore(project, backups, new { kind = "pitr", recoveryTimeTargetUnix = target, at = DateTimeOffset.UtcNow });
        return Results.StatusCode(201);
    }

    private static IResult? Busy(SupabaseManagementFakeState project) =>
        project.Status == "ACTIVE_HEALTHY" ? null : Message(400, $"Project is {project.Status}; a restore needs it ACTIVE_HEALTHY");

    private static void StartRestore(SupabaseManagementFakeState project, SupabaseBackupsFakeState backups, object restore)
    {
        backups.Restores.Add(restore);
        project.Status = "RESTORING";
        var outcome = backups.RestoreOutcome;
        backups.RestoreTimer?.Dispose();
        backups.RestoreTimer = new Timer(_ =>
        {
            lock (project.Gate)
            {
                if (project.Status == "RESTORING")
                {
                    project.Status = outcome;
                }
            }
        }, null, backups.RestoreDelay, Timeout.InfiniteTimeSpan);
    }

    private static async Task<JsonDocument?> ReadBodyAsync(HttpRequest request)
    {
        try
        {
            return await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Test controls: <c>POST /__fake/supabase-management/backups</c> <c>{pitrEnabled?, walgEnabled?, backups?:[{id,
    /// insertedAt, status?, isPhysicalBackup?}], earliestUnix?, latestUnix?, restoreDelayMs?, restoreOutcome?,
    /// limitedToken?}</c>; <c>GET …/restores</c> lists the restores asked for.
    /// </summary>
    private static void MapBackupControl(WebApplication app, SupabaseManagementFakeState project, SupabaseBackupsFakeState backups)
    {
        var control = app.MapGroup("/__fake/supabase-management");
        control.MapPost("/backups", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(project.Gate, () =>
        {
            backups.PitrEnabled = FakeJson.Bool(body, "pitrEnabled") ?? backups.PitrEnabled;
            backups.WalgEnabled = FakeJson.Bool(body, "walgEnabled") ?? backups.WalgEnabled;
            backups.EarliestUnix = Long(body, "earliestUnix") ?? backups.EarliestUnix;
            backups.LatestUnix = Long(body, "latestUnix") ?? backups.LatestUnix;
            backups.RestoreDelay = FakeJson.Int(body, "restoreDelayMs") is { } ms ? TimeSpan.FromMilliseconds(ms) : backups.RestoreDelay;
            backups.RestoreOutcome = FakeJson.String(body, "restoreOutcome") ?? backups.RestoreOutcome;
            backups.LimitedToken = FakeJson.String(body, "limitedToken") ?? backups.LimitedToken;
            if (body.TryGetProperty("backups", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                backups.Backups.Clear();
                foreach (var item in list.EnumerateArray())
                {
                    backups.Backups.Add(new FakeBackup(Long(item, "id") ?? 0, FakeJson.Bool(item, "isPhysicalBackup") ?? true,
                        FakeJson.String(item, "status") ?? "COMPLETED",
                        DateTimeOffset.Parse(FakeJson.String(item, "insertedAt") ?? "", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
                }
            }

            var (earliest, latest) = backups.Window(DateTimeOffset.UtcNow);
            return Results.Json(new { backups.PitrEnabled, earliest, latest, backups = backups.Backups.Count });
        })));
        control.MapGet("/restores", () => FakeJson.Locked(project.Gate, () => Results.Json(backups.Restores)));
    }

    private static long? Long(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
        && value.TryGetInt64(out var l) ? l : null;
}
