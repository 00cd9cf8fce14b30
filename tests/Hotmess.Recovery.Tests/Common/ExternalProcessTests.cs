using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Tests.Common;

public sealed class ExternalProcessTests
{
    [Fact]
    public async Task A_child_outlives_the_thread_that_started_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        // Children die with the thread that forked them (the parent-death signal follows the thread, not the
        // process); the thread that asks for a child here ends at once, as an idle thread-pool thread would.
        Task<ExternalProcess.Result>? running = null;
        var caller = new Thread(() => running = ExternalProcess.RunAsync("/bin/sleep", ["2"], null, null, default));
        caller.Start();
        caller.Join();

        var result = await running!;

        Assert.Equal(0, result.ExitCode);
    }
}
