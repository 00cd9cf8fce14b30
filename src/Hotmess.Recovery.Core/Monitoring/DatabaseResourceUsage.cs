using System.Globalization;

namespace Hotmess.Recovery.Monitoring;

/// <summary>
/// CPU, memory and disk use in percent from two scrapes of Supabase's metrics (api-contracts §10). CPU is the share of
/// non-idle time over all cpus between the scrapes (<c>node_cpu_seconds_total</c> is a counter since boot); memory is
/// 1 − MemAvailable/MemTotal; disk is the <c>/data</c> volume's used share. A figure whose series are missing is null,
/// and its detail says which series.
/// </summary>
public sealed record DatabaseResourceUsage(double? CpuPercent, string CpuDetail, double? MemoryPercent, string MemoryDetail, double? DiskPercent, string DiskDetail)
{
    public static DatabaseResourceUsage From(IReadOnlyList<PrometheusSample> first, IReadOnlyList<PrometheusSample> second)
    {
        var (cpu, cpuDetail) = Cpu(first, second);
        var (memory, memoryDetail) = Memory(second);
        var (disk, diskDetail) = Disk(second);
        return new DatabaseResourceUsage(cpu, cpuDetail, memory, memoryDetail, disk, diskDetail);
    }

    private static (double?, string) Cpu(IReadOnlyList<PrometheusSample> first, IReadOnlyList<PrometheusSample> second)
    {
        static (double Total, double Idle, int Cpus) Sum(IReadOnlyList<PrometheusSample> samples)
        {
            var cpu = samples.Where(s => s.Name == "node_cpu_seconds_total").ToList();
            return (cpu.Sum(s => s.Value), cpu.Where(s => s.Label("mode") == "idle").Sum(s => s.Value), cpu.Select(s => s.Label("cpu")).Distinct().Count());
        }

        var (total1, idle1, _) = Sum(first);
        var (total2, idle2, cpus) = Sum(second);
        if (cpus == 0)
        {
            return (null, "the metrics have no node_cpu_seconds_total series");
        }

        var elapsed = total2 - total1;
        if (elapsed <= 0)
        {
            return (null, "node_cpu_seconds_total did not advance between the two scrapes");
        }

        var busy = (1 - (idle2 - idle1) / elapsed) * 100;
        return (busy, $"{Format(busy)} % busy over {cpus} cpu(s) between two scrapes");
    }

    private static (double?, string) Memory(IReadOnlyList<PrometheusSample> samples)
    {
        var total = samples.FirstOrDefault(s => s.Name == "node_memory_MemTotal_bytes")?.Value;
        var available = samples.FirstOrDefault(s => s.Name == "node_memory_MemAvailable_bytes")?.Value;
        if (total is not > 0 || available is null)
        {
            return (null, "the metrics have no node_memory_MemTotal_bytes and node_memory_MemAvailable_bytes");
        }

        var used = (1 - available.Value / total.Value) * 100;
        return (used, $"{Gib(total.Value - available.Value)} of {Gib(total.Value)} GiB memory in use");
    }

    private static (double?, string) Disk(IReadOnlyList<PrometheusSample> samples)
    {
        var size = samples.FirstOrDefault(s => s.Name == "node_filesystem_size_bytes" && s.Label("mountpoint") == "/data")?.Value;
        var available = samples.FirstOrDefault(s => s.Name == "node_filesystem_avail_bytes" && s.Label("mountpoint") == "/data")?.Value;
        if (size is not > 0 || available is null)
        {
            return (null, "the metrics have no node_filesystem_size_bytes and node_filesystem_avail_bytes for mountpoint /data");
        }

        var used = (1 - available.Value / size.Value) * 100;
        return (used, $"{Gib(size.Value - available.Value)} of {Gib(size.Value)} GiB used on /data");
    }

    private static string Format(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Gib(double bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("0.##", CultureInfo.InvariantCulture);
}
