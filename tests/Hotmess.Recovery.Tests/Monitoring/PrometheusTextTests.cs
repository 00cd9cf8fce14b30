using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Tests.Monitoring;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Samples_are_read_with_their_labels_and_comments_are_skipped()
    {
        var samples = PrometheusText.Parse("""
            # HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.
            # TYPE node_cpu_seconds_total counter
            node_cpu_seconds_total{cpu="0",mode="idle"} 8123.5
            node_filesystem_avail_bytes{mountpoint="/data",device="a \"quoted\" name"} 1.5e9 1700000000000

            pg_up 1
            not a sample line
            """);

        Assert.Equal(3, samples.Count);
        Assert.Equal(("node_cpu_seconds_total", "idle", 8123.5), (samples[0].Name, samples[0].Label("mode"), samples[0].Value));
        Assert.Equal("a \"quoted\" name", samples[1].Label("device"));
        Assert.Equal(1.5e9, samples[1].Value);
        Assert.Equal(("pg_up", 1.0), (samples[2].Name, samples[2].Value));
    }

    [Fact]
    public void Cpu_use_is_the_non_idle_share_between_two_scrapes()
    {
        var first = PrometheusText.Parse("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 100\nnode_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 50\n");
        var second = PrometheusText.Parse("node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 103\nnode_cpu_seconds_total{cpu=\"0\",mode=\"user\"} 57\n");

        var usage = DatabaseResourceUsage.From(first, second);

        Assert.Equal(70, usage.CpuPercent!.Value, 3);
        Assert.Null(usage.MemoryPercent);
        Assert.Contains("node_memory_MemTotal_bytes", usage.MemoryDetail);
    }
}
