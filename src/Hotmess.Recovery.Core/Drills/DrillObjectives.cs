using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Drills;

/// <summary>
/// The objectives a drill is measured against. By default the row of the plan's Recovery Time Objectives table that
/// the scenario rehearses; the <c>drills.objectives</c> section (and, for a database restore, the <c>objectives</c>
/// section) and the cmdlet's parameters override it.
/// </summary>
public sealed record DrillObjectives(TimeSpan Rto, TimeSpan? Rpo, string Source)
{
    /// <summary>The plan's row for <paramref name="scenario"/>, as the configuration amends it.</summary>
    public static DrillObjectives For(DrillScenario scenario, HotmessConfiguration configuration)
    {
        var plan = scenario switch
        {
            // "Database restore: 4 hours, up to 24 hours", which the objectives section already configures.
            DrillScenario.DatabaseRestore => new DrillObjectives(TimeSpan.FromHours(configuration.Objectives.RtoHours),
                TimeSpan.FromHours(configuration.Objectives.RpoHours), "the plan's 'Database restore' row"),
            // Files come back from backups as the database does, so the same row applies.
            DrillScenario.StorageRestore => new DrillObjectives(TimeSpan.FromHours(configuration.Objectives.RtoHours),
                TimeSpan.FromHours(configuration.Objectives.RpoHours), "the plan's 'Database restore' row"),
            // "Minor outage: 1 hour, 0": a rollback touches no data.
            DrillScenario.ApplicationRollback => new DrillObjectives(TimeSpan.FromHours(1), TimeSpan.Zero, "the plan's 'Minor outage' row"),
            // "Security breach: 48 hours, case-dependent": no data objective to judge.
            DrillScenario.CredentialRecovery => new DrillObjectives(TimeSpan.FromHours(48), null, "the plan's 'Security breach' row"),
            // "Full disaster: 24 hours, 24 hours".
            DrillScenario.PlatformRecovery => new DrillObjectives(TimeSpan.FromHours(24), TimeSpan.FromHours(24), "the plan's 'Full disaster' row"),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
        };

        // Read from JSON the dictionary compares names exactly; people write "databaseRestore" as often as "DatabaseRestore".
        var configured = configuration.Drills.Objectives
            .FirstOrDefault(o => string.Equals(o.Key, scenario.ToString(), StringComparison.OrdinalIgnoreCase)).Value;
        if (configured is not null)
        {
            plan = new DrillObjectives(
                configured.RtoHours is { } rto ? TimeSpan.FromHours(rto) : plan.Rto,
                configured.RpoHours is { } rpo ? TimeSpan.FromHours(rpo) : plan.Rpo,
                $"drills.objectives.{scenario} in the configuration");
        }

        return plan;
    }

    /// <summary>This, with what the caller gave explicitly.</summary>
    public DrillObjectives With(TimeSpan? rto, TimeSpan? rpo) =>
        rto is null && rpo is null ? this : new DrillObjectives(rto ?? Rto, rpo ?? Rpo, "the objectives given to the drill");
}
