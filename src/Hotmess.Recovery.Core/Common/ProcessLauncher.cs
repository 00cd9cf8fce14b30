using System.Collections.Concurrent;
using System.Diagnostics;

namespace Hotmess.Recovery.Common;

/// <summary>
/// Starts child processes so that they die with this process. On Linux each runs under
/// <c>setpriv --pdeathsig KILL</c>, and every start happens on one thread that lives as long as the process:
/// Linux sends the parent-death signal when the *thread* that started a child ends, and thread-pool threads end
/// whenever they are idle for a while.
/// </summary>
internal static class ProcessLauncher
{
    private static readonly string? SetPriv = OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/setpriv", "/bin/setpriv" }.FirstOrDefault(File.Exists)
        : null;

    private static readonly BlockingCollection<(Process Process, TaskCompletionSource Started)> Requests = new();

    private static readonly Lazy<Thread> Starter = new(() =>
    {
        var thread = new Thread(StartRequested) { IsBackground = true, Name = "HotmessRecovery child processes" };
        thread.Start();
        return thread;
    });

    /// <summary>What to run for <paramref name="fileName"/>: the program itself, or setpriv running it.</summary>
    public static (string FileName, IReadOnlyList<string> Prefix) Wrap(string fileName) =>
        SetPriv is null ? (fileName, []) : (SetPriv, ["--pdeathsig", "KILL", "--", fileName]);

    public static Task StartAsync(Process process)
    {
        _ = Starter.Value;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void StartRequested()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                process.Start();
                started.SetResult();
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }
}
