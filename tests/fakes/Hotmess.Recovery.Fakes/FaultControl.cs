using System.Globalization;
using System.Text.Json;

namespace Hotmess.Recovery.Fakes;

/// <summary>
/// Endpoints of the fake itself (not of any vendor) and fault injection for every service it serves.
/// Faults are switched on by command-line flags or at run time:
/// <list type="bullet">
/// <item><c>--fault-rate R</c>: share (0..1) of requests for each kind below that has no rate of its own;
/// <c>--fault-500-rate</c>, <c>--fault-429-rate</c>, <c>--fault-cut-rate</c> per kind; <c>--fault-latency-ms N</c>
/// added to every request; <c>--fault-retry-after S</c> (seconds, default 1); <c>--fault-path /prefix</c> limits
/// faults to one service; <c>--fault-seed N</c> makes the draws repeatable.</item>
/// <item><c>POST /__fake/faults</c> with <c>{serverErrorRate, rateLimitRate, cutRate, latencyMs, retryAfterSeconds,
/// pathPrefix, seed}</c> replaces the settings (omitted = 0 / none); <c>DELETE /__fake/faults</c> turns them off;
/// <c>GET /__fake/faults</c> shows the settings and how many faults of each kind were injected.</item>
/// </list>
/// A 500 or 429 is answered before the service sees the request, so it has no effect; a cut lets the service
/// handle the request and then breaks the connection part-way through the response body (before any byte of
/// it for an empty body), so the caller cannot tell whether a write took effect. Each service registers the
/// error body its vendor sends with <see cref="FaultInjector.DescribeErrors"/>.
/// </summary>
public static class FaultControl
{
    public static void MapFaultControl(this WebApplication app, FakeOptions options)
    {
        var injector = FaultInjector.For(app);
        injector.Apply(FaultSettings.From(app.Configuration));

        app.MapGet("/__fake/health", () => Results.Text("ok"));
        app.MapGet("/__fake/faults", () => Results.Json(injector.Describe()));
        app.MapPost("/__fake/faults", async (HttpRequest request) =>
        {
            FaultSettings? settings;
            try
            {
                settings = await JsonSerializer.DeserializeAsync<FaultSettings>(request.Body, FaultSettings.JsonOptions);
            }
            catch (JsonException ex)
            {
                return Results.BadRequest(new { message = ex.Message });
            }

            if (settings is null)
            {
                return Results.BadRequest(new { message = "Expected a JSON object." });
            }

            if (!settings.IsValid(out var problem))
            {
                return Results.BadRequest(new { message = problem });
            }

            injector.Apply(settings);
            return Results.Json(injector.Describe());
        });
        app.MapDelete("/__fake/faults", () =>
        {
            injector.Apply(new FaultSettings());
            return Results.Json(injector.Describe());
        });

        app.Use(injector.InvokeAsync);
    }
}

/// <summary>What to inject; rates are shares of the requests under <see cref="PathPrefix"/>.</summary>
public sealed record FaultSettings
{
    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);

    public double ServerErrorRate { get; init; }

    public double RateLimitRate { get; init; }

    public double CutRate { get; init; }

    public int LatencyMs { get; init; }

    public int RetryAfterSeconds { get; init; } = 1;

    public string? PathPrefix { get; init; }

    public int? Seed { get; init; }

    public bool IsValid(out string? problem)
    {
        var rates = new[] { ServerErrorRate, RateLimitRate, CutRate };
        problem = rates.Any(r => r is < 0 or > 1) ? "Rates are shares between 0 and 1."
            : rates.Sum() > 1 ? "The rates add up to more than 1."
            : LatencyMs < 0 || RetryAfterSeconds < 0 ? "latencyMs and retryAfterSeconds cannot be negative."
            : null;
        return problem is null;
    }

    public static FaultSettings From(IConfiguration configuration)
    {
        double Rate(string name) => double.TryParse(configuration[name] ?? configuration["fault-rate"], NumberStyles.Float, CultureInfo.InvariantCulture, out var r) ? r : 0;
        int? Int(string name) => int.TryParse(configuration[name], NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null;
        var settings = new FaultSettings
        {
            ServerErrorRate = Rate("fault-500-rate"),
            RateLimitRate = Rate("fault-429-rate"),
            CutRate = Rate("fault-cut-rate"),
            LatencyMs = Int("fault-latency-ms") ?? 0,
            RetryAfterSeconds = Int("fault-retry-after") ?? 1,
            PathPrefix = configuration["fault-path"],
            Seed = Int("fault-seed"),
        };
        return settings.IsValid(out var problem) ? settings : throw new ArgumentException($"Fault flags: {problem}");
    }
}

/// <summary>Draws and injects faults; one per application.</summary>
public sealed class FaultInjector
{
    private const string PropertyName = "Hotmess.Recovery.Fakes.FaultInjector";

    private readonly object _gate = new();
    private readonly List<(PathString Prefix, Func<int, object> Body)> _errorBodies = new();
    private FaultSettings _settings = new();
    private Random _random = new();
    private long _requests;
    private long _serverErrors;
    private long _rateLimits;
    private long _cuts;

    /// <summary>The injector of <paramref name="app"/>, created on first use.</summary>
    public static FaultInjector For(WebApplication app)
    {
        var properties = ((IApplicationBuilder)app).Properties;
        if (properties.TryGetValue(PropertyName, out var existing) && existing is FaultInjector injector)
        {
            return injector;
        }

        injector = new FaultInjector();
        properties[PropertyName] = injector;
        return injector;
    }

    /// <summary>How a service's vendor words a 500 or a 429 (the argument), for requests under <paramref name="prefix"/>.</summary>
    public void DescribeErrors(PathString prefix, Func<int, object> body)
    {
        lock (_gate)
        {
            _errorBodies.Add((prefix, body));
        }
    }

    public void Apply(FaultSettings settings)
    {
        lock (_gate)
        {
            _settings = settings;
            _random = settings.Seed is { } seed ? new Random(seed) : new Random();
            _requests = _serverErrors = _rateLimits = _cuts = 0;
        }
    }

    public object Describe()
    {
        lock (_gate)
        {
            return new
            {
                settings = _settings,
                requests = _requests,
                injected = new { serverError = _serverErrors, rateLimit = _rateLimits, cut = _cuts },
            };
        }
    }

    internal async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        FaultSettings settings;
        double draw;
        lock (_gate)
        {
            settings = _settings;
            if (context.Request.Path.StartsWithSegments("/__fake")
                || (settings.PathPrefix is { Length: > 0 } prefix && !context.Request.Path.StartsWithSegments(prefix)))
            {
                draw = double.NaN;
            }
            else
            {
                _requests++;
                draw = _random.NextDouble();
            }
        }

        if (double.IsNaN(draw))
        {
            await next(context);
            return;
        }

        if (settings.LatencyMs > 0)
        {
            await Task.Delay(settings.LatencyMs, context.RequestAborted);
        }

        if (draw < settings.ServerErrorRate)
        {
            Interlocked.Increment(ref _serverErrors);
            await WriteErrorAsync(context, StatusCodes.Status500InternalServerError);
            return;
        }

        draw -= settings.ServerErrorRate;
        if (draw < settings.RateLimitRate)
        {
            Interlocked.Increment(ref _rateLimits);
            context.Response.Headers.RetryAfter = settings.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            await WriteErrorAsync(context, StatusCodes.Status429TooManyRequests);
            return;
        }

        draw -= settings.RateLimitRate;
        if (draw < settings.CutRate)
        {
            Interlocked.Increment(ref _cuts);
            var cutting = new CuttingStream(context, context.Response.Body, NextFraction());
            context.Response.Body = cutting;
            await next(context);
            if (!cutting.HasCut)
            {
                // Nothing of a body went out: break the connection before the response completes.
                context.Abort();
            }

            return;
        }

        await next(context);
    }

    private double NextFraction()
    {
        lock (_gate)
        {
            return _random.NextDouble();
        }
    }

    private async Task WriteErrorAsync(HttpContext context, int status)
    {
        object body;
        lock (_gate)
        {
            var match = _errorBodies.FirstOrDefault(e => context.Request.Path.StartsWithSegments(e.Prefix));
            body = match.Body is null ? new { message = status == 429 ? "Too Many Requests" : "Internal Server Error" } : match.Body(status);
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(body, body.GetType());
    }

    /// <summary>Passes a response body through up to a point drawn within its length, then aborts the connection.</summary>
    private sealed class CuttingStream(HttpContext context, Stream inner, double fraction) : Stream
    {
        private long _written;
        private long? _cutAt;

        public bool HasCut { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (HasCut || buffer.Length == 0)
            {
                return;
            }

            _cutAt ??= (long)(fraction * (context.Response.ContentLength ?? buffer.Length));
            var room = _cutAt.Value - _written;
            if (buffer.Length <= room)
            {
                await inner.WriteAsync(buffer, cancellationToken);
                _written += buffer.Length;
                return;
            }

            if (room > 0)
            {
                await inner.WriteAsync(buffer[..(int)room], cancellationToken);
                _written += room;
            }

            await inner.FlushAsync(cancellationToken);
            HasCut = true;
            context.Abort();
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => HasCut ? Task.CompletedTask : inner.FlushAsync(cancellationToken);

        public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
