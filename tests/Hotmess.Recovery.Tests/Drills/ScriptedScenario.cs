using Hotmess.Recovery.Common;
using Hotmess.Recovery.Drills;
using Microsoft.Extensions.Time.Testing;

namespace Hotmess.Recovery.Tests.Drills;

/// <summary>
/// A drill scenario whose steps take the time the test says on a fake clock, so objectives can be met or missed
/// without waiting.
/// </summary>
internal sealed class ScriptedScenario(FakeTimeProvider clock) : IDrillScenario
{
    public List<(string Name, TimeSpan Takes, HotmessException? Fails)> Steps { get; } = [];

    /// <summary>How old the newest recovered data is at the incident; null when nothing is recovered.</summary>
    public TimeSpan? DataAge { get; set; } = TimeSpan.FromHours(2);

    public HotmessException? Refusal { get; set; }

    /// <summary>Steps something else ran and timed (a runbook's incident), added as recorded after the scripted ones; the clock then moves to <see cref="RecordedRunTakes"/>.</summary>
    public List<(string Name, TimeSpan StartsAfter, TimeSpan Takes)> Recorded { get; } = [];

    public TimeSpan RecordedRunTakes { get; set; }

    /// <summary>When set, the service is verified this long after the incident, as a recorded step said, rather than when the steps end.</summary>
    public TimeSpan? VerifiedAfter { get; set; }

    public bool CleanedUp { get; private set; }

    public DrillScenario Scenario => DrillScenario.DatabaseRestore;

    public string Target => "scripted target";

    public IReadOnlyList<string> Plan => Steps.Select(s => s.Name).ToList();

    public void Validate()
    {
        if (Refusal is not null)
        {
            throw Refusal;
        }
    }

    public async Task RecoverAsync(DrillRun run, CancellationToken cancellationToken)
    {
        foreach (var (name, takes, fails) in Steps)
        {
            await run.StepAsync(name, _ =>
            {
                clock.Advance(takes);
                return fails is null ? Task.FromResult($"{name} done") : throw fails;
            }, cancellationToken);
        }

        foreach (var (name, startsAfter, takes) in Recorded)
        {
            run.AddRecordedStep(name, run.SimulatedIncidentUtc + startsAfter, takes, passed: true, $"{name} done", null);
        }

        clock.Advance(RecordedRunTakes);
        if (VerifiedAfter is { } verified)
        {
            run.ServiceVerified(run.SimulatedIncidentUtc + verified);
        }
        else
        {
            run.ServiceVerified();
        }

        if (DataAge is { } age)
        {
            run.NewestDataRecoveredUtc = run.SimulatedIncidentUtc - age;
        }
    }

    public async Task CleanupAsync(DrillRun run, CancellationToken cancellationToken)
    {
        await run.CleanupStepAsync("Remove the scripted target", _ =>
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            CleanedUp = true;
            return Task.FromResult("removed");
        }, cancellationToken);
    }
}
