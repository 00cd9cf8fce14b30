using System.Globalization;
using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Retention;

/// <summary>
/// Which backup sets to keep, with the meaning of restic's <c>forget</c> options: the newest <see cref="KeepLast"/>
/// sets, the newest set of each of the last N hours, days, ISO weeks, months and years (UTC, by the set's start
/// time), and every set started within <see cref="KeepWithin"/> of the newest set. A set matching any rule is kept.
/// </summary>
public sealed record RetentionPolicy
{
    public int? KeepLast { get; init; }

    public int? KeepHourly { get; init; }

    public int? KeepDaily { get; init; }

    public int? KeepWeekly { get; init; }

    public int? KeepMonthly { get; init; }

    public int? KeepYearly { get; init; }

    public TimeSpan? KeepWithin { get; init; }

    /// <summary>The plan's weekly manual backups: 8 weekly, 12 monthly, and every set of the last 7 days.</summary>
    public static RetentionPolicy WeeklyManualBackups { get; } = new() { KeepWeekly = 8, KeepMonthly = 12, KeepWithin = TimeSpan.FromDays(7) };

    /// <summary>True when no rule keeps anything: such a policy would remove every set, so it is never applied.</summary>
    public bool IsEmpty =>
        (KeepLast ?? 0) == 0 && (KeepHourly ?? 0) == 0 && (KeepDaily ?? 0) == 0 && (KeepWeekly ?? 0) == 0
        && (KeepMonthly ?? 0) == 0 && (KeepYearly ?? 0) == 0 && (KeepWithin ?? TimeSpan.Zero) <= TimeSpan.Zero;

    /// <summary>Refuses a negative count or duration, and a policy that keeps nothing.</summary>
    public void Validate()
    {
        foreach (var (name, value) in new[]
                 {
                     ("KeepLast", KeepLast), ("KeepHourly", KeepHourly), ("KeepDaily", KeepDaily),
                     ("KeepWeekly", KeepWeekly), ("KeepMonthly", KeepMonthly), ("KeepYearly", KeepYearly),
                 })
        {
            if (value < 0)
            {
                throw new HotmessException("RetentionPolicyInvalid", FailureKind.InvalidArgument,
                    $"{name} is {value}; a retention count is 0 or more.", name);
            }
        }

        if (KeepWithin < TimeSpan.Zero)
        {
            throw new HotmessException("RetentionPolicyInvalid", FailureKind.InvalidArgument,
                $"KeepWithin is {KeepWithin}; a retention duration is positive.", "KeepWithin");
        }

        if (IsEmpty)
        {
            throw new HotmessException("RetentionPolicyEmpty", FailureKind.InvalidArgument,
                "The retention policy keeps nothing, so it would remove every backup set: give at least one of KeepLast, KeepHourly, KeepDaily, KeepWeekly, KeepMonthly, KeepYearly or KeepWithin (or a 'retention' section in the configuration).");
        }
    }

    public override string ToString()
    {
        var parts = new List<string>();
        void Add(string name, int? value)
        {
            if (value > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{value} {name}"));
            }
        }

        Add("last", KeepLast);
        Add("hourly", KeepHourly);
        Add("daily", KeepDaily);
        Add("weekly", KeepWeekly);
        Add("monthly", KeepMonthly);
        Add("yearly", KeepYearly);
        if (KeepWithin > TimeSpan.Zero)
        {
            parts.Add($"every set within {KeepWithin.Value.ToString("c", CultureInfo.InvariantCulture)} of the newest");
        }

        return parts.Count == 0 ? "keep nothing" : "keep " + string.Join(", ", parts);
    }
}
