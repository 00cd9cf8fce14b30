using System.Diagnostics;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Storage;

/// <summary>Objects and bytes moved so far, reported at most a few times a second from any number of workers.</summary>
internal sealed class TransferProgress(IOperationLog log, int activityId, string activity, int totalCount, long totalBytes)
{
    private static readonly long Interval = Stopwatch.Frequency / 4;

    private long _count;
    private long _bytes;
    private long _lastReport = long.MinValue / 2;

    public long Count => Interlocked.Read(ref _count);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Add(long bytes, string current)
    {
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _bytes, bytes);
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Read(ref _lastReport);
        if (now - last >= Interval && Interlocked.CompareExchange(ref _lastReport, now, last) == last)
        {
            Report(current);
        }
    }

    public void Report(string? current)
    {
        var count = Count;
        var bytes = Bytes;
        var percent = totalBytes > 0 ? (int)(100 * bytes / totalBytes) : totalCount > 0 ? (int)(100 * count / totalCount) : 100;
        log.Progress(new OperationProgress(activityId, activity,
            $"{count:N0} of {totalCount:N0} objects, {bytes / 1048576.0:N1} of {totalBytes / 1048576.0:N1} MB", Math.Clamp(percent, 0, 100), current));
    }

    public void Complete() => log.Progress(new OperationProgress(activityId, activity, "Done", Completed: true));
}
