using System.Globalization;
using System.Text;

namespace Hotmess.Recovery.Fakes.SupabaseMetrics;

/// <summary>
/// A Supabase project's metrics endpoint, <c>GET /customer/v1/privileged/metrics</c> on the project's URL (the fake's
/// root, as Storage's <c>/storage/v1</c> is), api-contracts §10: Prometheus text with <c># HELP</c>/<c># TYPE</c>,
/// HTTP Basic auth <c>service_role:&lt;service key&gt;</c> (401 otherwise). Series: <c>node_cpu_seconds_total{cpu,mode}</c>
/// per cpu and mode (counters that advance by 10 s per cpu on every scrape, split by the configured busy share, so any
/// two scrapes show exactly that share), <c>node_memory_MemTotal_bytes</c>/<c>MemAvailable_bytes</c>,
/// <c>node_filesystem_size_bytes</c>/<c>avail_bytes</c> for <c>/</c> and <c>/data</c>, <c>node_load1</c>,
/// <c>pg_up</c>, <c>pg_stat_database_num_backends</c>, <c>max_connections_connection_count</c>.
/// <c>POST /__fake/metrics</c> <c>{cpuPercent?, memoryPercent?, diskPercent?, cpus?}</c> sets the figures;
/// <c>DELETE /__fake/metrics</c> restores the defaults (20 % CPU, 40 % memory, 30 % disk, 2 cpus).
/// </summary>
public static class SupabaseMetricsFake
{
    public const string Path = "/customer/v1/privileged/metrics";

    public static void MapSupabaseMetrics(this WebApplication app, FakeOptions options)
    {
        var state = new MetricsState();
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("service_role:" + options.ServiceKey));
        app.MapGet(Path, (HttpContext c) =>
        {
            if (c.Request.Headers.Authorization.ToString() != expected)
            {
                c.Response.Headers.WWWAuthenticate = "Basic realm=\"metrics\"";
                return Results.Text("Unauthorized", "text/plain", Encoding.UTF8, 401);
            }

            lock (state.Gate)
            {
                state.Scrapes++;
                return Results.Text(state.Render(), "text/plain; version=0.0.4; charset=utf-8", Encoding.UTF8, 200);
            }
        });

        var control = app.MapGroup("/__fake/metrics");
        control.MapPost("", async (HttpRequest r) => await FakeJson.WithBody(r, body => FakeJson.Locked(state.Gate, () =>
        {
            var cpu = FakeJson.Int(body, "cpuPercent") ?? state.CpuPercent;
            var memory = FakeJson.Int(body, "memoryPercent") ?? state.MemoryPercent;
            var disk = FakeJson.Int(body, "diskPercent") ?? state.DiskPercent;
            var cpus = FakeJson.Int(body, "cpus") ?? state.Cpus;
            if (new[] { cpu, memory, disk }.Any(p => p is < 0 or > 100) || cpus < 1)
            {
                return Results.BadRequest("Expected {cpuPercent?, memoryPercent?, diskPercent? (0..100), cpus? (>= 1)}.");
            }

            (state.CpuPercent, state.MemoryPercent, state.DiskPercent, state.Cpus) = (cpu, memory, disk, cpus);
            return Results.Json(new { state.CpuPercent, state.MemoryPercent, state.DiskPercent, state.Cpus, state.Scrapes });
        })));
        control.MapDelete("", () => FakeJson.Locked(state.Gate, () =>
        {
            (state.CpuPercent, state.MemoryPercent, state.DiskPercent, state.Cpus) = (20, 40, 30, 2);
            return Results.Json(new { state.CpuPercent, state.MemoryPercent, state.DiskPercent, state.Cpus, state.Scrapes });
        }));
    }

    private sealed class MetricsState
    {
        private const double TotalMemory = 4L * 1024 * 1024 * 1024;
        private const double DataDisk = 8L * 1024 * 1024 * 1024;
        private readonly Dictionary<(int Cpu, string Mode), double> _cpuSeconds = new();

        public object Gate { get; } = new();

        public int CpuPercent { get; set; } = 20;

        public int MemoryPercent { get; set; } = 40;

        public int DiskPercent { get; set; } = 30;

        public int Cpus { get; set; } = 2;

        public long Scrapes { get; set; }

        public string Render()
        {
            // Each scrape is 10 s of every cpu's time, busy by the configured share (split between user and system).
            for (var cpu = 0; cpu < Cpus; cpu++)
            {
                Add(cpu, "idle", 10 * (100 - CpuPercent) / 100.0);
                Add(cpu, "user", 10 * CpuPercent * 0.7 / 100.0);
                Add(cpu, "system", 10 * CpuPercent * 0.3 / 100.0);
                Add(cpu, "iowait", 0);
            }

            var labels = "supabase_project_ref=\"abcdefghijklmnopqrst\",service_type=\"db\"";
            var text = new StringBuilder();
            text.Append("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n");
            foreach (var ((cpu, mode), seconds) in _cpuSeconds.OrderBy(p => p.Key.Cpu).ThenBy(p => p.Key.Mode, StringComparer.Ordinal))
            {
                text.Append(CultureInfo.InvariantCulture, $"node_cpu_seconds_total{{{labels},cpu=\"{cpu}\",mode=\"{mode}\"}} {seconds:0.###}\n");
            }

            Gauge(text, "node_load1", "1m load average.", $"{{{labels}}}", Cpus * CpuPercent / 100.0);
            Gauge(text, "node_memory_MemTotal_bytes", "Memory information field MemTotal_bytes.", $"{{{labels}}}", TotalMemory);
            Gauge(text, "node_memory_MemAvailable_bytes", "Memory information field MemAvailable_bytes.", $"{{{labels}}}", TotalMemory * (100 - MemoryPercent) / 100);
            text.Append("# HELP node_filesystem_size_bytes Filesystem size in bytes.\n# TYPE node_filesystem_size_bytes gauge\n");
            text.Append(CultureInfo.InvariantCulture, $"node_filesystem_size_bytes{{{labels},device=\"/dev/root\",fstype=\"ext4\",mountpoint=\"/\"}} {DataDisk / 4:0}\n");
            text.Append(CultureInfo.InvariantCulture, $"node_filesystem_size_bytes{{{labels},device=\"/dev/nvme1n1\",fstype=\"ext4\",mountpoint=\"/data\"}} {DataDisk:0}\n");
            text.Append("# HELP node_filesystem_avail_bytes Filesystem space available to non-root users in bytes.\n# TYPE node_filesystem_avail_bytes gauge\n");
            text.Append(CultureInfo.InvariantCulture, $"node_filesystem_avail_bytes{{{labels},device=\"/dev/root\",fstype=\"ext4\",mountpoint=\"/\"}} {DataDisk / 8:0}\n");
            text.Append(CultureInfo.InvariantCulture, $"node_filesystem_avail_bytes{{{labels},device=\"/dev/nvme1n1\",fstype=\"ext4\",mountpoint=\"/data\"}} {DataDisk * (100 - DiskPercent) / 100:0}\n");
            Gauge(text, "pg_up", "Whether the last scrape of Postgres succeeded.", $"{{{labels}}}", 1);
            Gauge(text, "pg_stat_database_num_backends", "Number of backends connected to this database.", $"{{{labels},datname=\"postgres\"}}", 12);
            Gauge(text, "max_connections_connection_count", "max_connections setting.", $"{{{labels}}}", 60);
            return text.ToString();
        }

        private void Add(int cpu, string mode, double seconds) =>
            _cpuSeconds[(cpu, mode)] = _cpuSeconds.GetValueOrDefault((cpu, mode), 1000 * (mode == "idle" ? 8 : 1)) + seconds;

        private static void Gauge(StringBuilder text, string name, string help, string labels, double value) =>
            text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name}{labels} {value:0.###}\n");
    }
}
