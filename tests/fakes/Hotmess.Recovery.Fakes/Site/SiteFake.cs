namespace Hotmess.Recovery.Fakes.Site;

/// <summary>
/// The HOTMESS site's health endpoint at <c>/site/api/health</c> (the plan's uptime check): 200
/// <c>{"status":"ok"}</c> while healthy. <c>POST /__fake/site/health</c> <c>{status?, delayMs?, failures?}</c> makes it
/// answer <c>status</c> (e.g. 503 <c>{"status":"degraded"}</c>) and/or wait <c>delayMs</c> before answering; with
/// <c>failures</c> only the next N requests fail, then it recovers by itself. <c>DELETE /__fake/site/health</c>
/// recovers at once; <c>GET /__fake/site/health</c> shows the settings and how many requests came.
/// </summary>
public static class SiteFake
{
    public const string Prefix = "/site";

    public static void MapSite(this WebApplication app, FakeOptions options)
    {
        var state = new SiteFakeState();
        app.MapGet(Prefix + "/api/health", async (HttpContext c) =>
        {
            int status, delay;
            lock (state.Gate)
            {
                state.Requests++;
                var failing = state.Status != 200 && (state.FailuresLeft is null || state.FailuresLeft > 0);
                if (failing && state.FailuresLeft is { } left)
                {
                    state.FailuresLeft = left - 1;
                }

                status = failing ? state.Status : 200;
                delay = state.DelayMs;
            }

            if (delay > 0)
            {
                await Task.Delay(delay, c.RequestAborted);
            }

            return Results.Json(new { status = status == 200 ? "ok" : "degraded" }, statusCode: status);
        });

        var control = app.MapGroup("/__fake/site");
        control.MapGet("/health", () => FakeJson.Locked(state.Gate, () => Results.Json(state.Describe())));
        control.MapPost("/health", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            var status = FakeJson.Int(body, "status") ?? 200;
            var delay = FakeJson.Int(body, "delayMs") ?? 0;
            if (status is < 200 or > 599 || delay < 0)
            {
                return Results.BadRequest("Expected {status?: 200..599, delayMs?: >= 0, failures?}.");
            }

            state.Status = status;
            state.DelayMs = delay;
            state.FailuresLeft = FakeJson.Int(body, "failures");
            return Results.Json(state.Describe());
        })));
        control.MapDelete("/health", () => FakeJson.Locked(state.Gate, () =>
        {
            state.Status = 200;
            state.DelayMs = 0;
            state.FailuresLeft = null;
            return Results.Json(state.Describe());
        }));
    }

    private sealed class SiteFakeState
    {
        public object Gate { get; } = new();

        public int Status { get; set; } = 200;

        public int DelayMs { get; set; }

        /// <summary>Null: fails until told otherwise; N: the next N requests fail, then it recovers.</summary>
        public int? FailuresLeft { get; set; }

        public long Requests { get; set; }

        public object Describe() => new { status = Status, delayMs = DelayMs, failuresLeft = FailuresLeft, requests = Requests };
    }
}
