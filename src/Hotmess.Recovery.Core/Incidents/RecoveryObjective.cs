using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Incidents;

/// <summary>One row of the plan's Recovery Time Objectives table; a null <see cref="Rpo"/> is "case-dependent".</summary>
public sealed record RecoveryObjective(string Scenario, TimeSpan Rto, TimeSpan? Rpo)
{
    public const string MinorOutage = "Minor outage";
    public const string DatabaseRestore = "Database restore";
    public const string FullDisaster = "Full disaster";
    public const string SecurityBreach = "Security breach";

    public static IReadOnlyList<string> Scenarios { get; } = [MinorOutage, DatabaseRestore, FullDisaster, SecurityBreach];

    /// <summary>The plan's table, with the configuration's <c>objectives</c> for the database restore row.</summary>
    public static IReadOnlyList<RecoveryObjective> Table(ObjectiveSettings objectives) =>
    [
        new(MinorOutage, TimeSpan.FromHours(1), TimeSpan.Zero),
        new(DatabaseRestore, TimeSpan.FromHours(objectives.RtoHours), TimeSpan.FromHours(objectives.RpoHours)),
        new(FullDisaster, TimeSpan.FromHours(24), TimeSpan.FromHours(24)),
        new(SecurityBreach, TimeSpan.FromHours(48), null),
    ];

    public static RecoveryObjective? For(string? scenario, ObjectiveSettings objectives) =>
        scenario is null ? null : Table(objectives).FirstOrDefault(o => string.Equals(o.Scenario, scenario, StringComparison.OrdinalIgnoreCase));
}
