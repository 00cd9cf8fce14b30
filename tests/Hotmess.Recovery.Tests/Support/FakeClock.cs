using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Support;

/// <summary>
/// Runs work whose waits are on a <see cref="FakeTimeProvider"/>: the clock moves on in small steps while the work
/// is not done, so a 2 s <c>Retry-After</c> passes in a few real milliseconds and nothing sleeps.
/// </summary>
public static class FakeClock
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    public static async Task<T> RunAsync<T>(this FakeTimeProvider time, Func<Task<T>> work)
    {
        var task = work();
        while (!task.IsCompleted)
        {
            time.Advance(Step);
            await Task.WhenAny(task, Task.Delay(2));
        }

        return await task;
    }

    public static Task RunAsync(this FakeTimeProvider time, Func<Task> work) =>
        time.RunAsync(async () =>
        {
            await work();
            return true;
        });
}
