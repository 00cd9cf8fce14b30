using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Retention;

namespace Hotmess.Recovery.Tests.Retention;

/// <summary>
/// The retention decision on twenty database sets spread over three years, in the manner of restic's policy tests:
/// each row is a policy and the sets it keeps, each with the rules that kept it. Dates are UTC; the ids are the
/// start times. 2025-12-29 and 2026-01-04 share ISO week 2026-W01; 2024-12-30 is in 2025-W01.
/// </summary>
public sealed class RetentionPlannerTests
{
    private const string Source = "db.example:5432/postgres";

    private static readonly DateTimeOffset Now = At("2026-12-01T12:00");

    private static readonly string[] Starts =
    [
        "2026-11-30T10:00", "2026-11-29T22:00", "2026-11-29T09:00", "2026-11-27T10:00", "2026-11-25T10:00",
        "2026-11-22T10:00", "2026-11-15T10:00", "2026-11-08T10:00", "2026-11-01T10:00", "2026-10-25T10:00",
        "2026-10-04T10:00", "2026-09-06T10:00", "2026-08-02T10:00", "2026-01-04T10:00", "2026-01-01T10:00",
        "2025-12-29T10:00", "2025-12-28T10:00", "2025-06-15T10:00", "2024-12-30T10:00", "2024-03-01T10:00",
    ];

    public static TheoryData<string, RetentionPolicy, string[], string[]> Cases => new()
    {
        {
            "last 3", new RetentionPolicy { KeepLast = 3 }, [],
            ["2026-11-30T10:00=last,newest", "2026-11-29T22:00=last", "2026-11-29T09:00=last"]
        },
        {
            "last 30 keeps all twenty", new RetentionPolicy { KeepLast = 30 }, [],
            Starts.Select((s, i) => i == 0 ? s + "=last,newest" : s + "=last").ToArray()
        },
        {
            "hourly 2", new RetentionPolicy { KeepHourly = 2 }, [],
            ["2026-11-30T10:00=hourly,newest", "2026-11-29T22:00=hourly"]
        },
        {
            "daily 3: one set per day, the newest of the day", new RetentionPolicy { KeepDaily = 3 }, [],
            ["2026-11-30T10:00=daily,newest", "2026-11-29T22:00=daily", "2026-11-27T10:00=daily"]
        },
        {
            "weekly 4: ISO weeks starting Monday", new RetentionPolicy { KeepWeekly = 4 }, [],
            ["2026-11-30T10:00=weekly,newest", "2026-11-29T22:00=weekly", "2026-11-22T10:00=weekly", "2026-11-15T10:00=weekly"]
        },
        {
            "weekly 13: 2025-12-29 is in the ISO week of 2026-01-04", new RetentionPolicy { KeepWeekly = 13 }, [],
            [
                "2026-11-30T10:00=weekly,newest", "2026-11-29T22:00=weekly", "2026-11-22T10:00=weekly", "2026-11-15T10:00=weekly",
                "2026-11-08T10:00=weekly", "2026-11-01T10:00=weekly", "2026-10-25T10:00=weekly", "2026-10-04T10:00=weekly",
                "2026-09-06T10:00=weekly", "2026-08-02T10:00=weekly", "2026-01-04T10:00=weekly", "2025-12-28T10:00=weekly",
                "2025-06-15T10:00=weekly",
            ]
        },
        {
            "monthly 6", new RetentionPolicy { KeepMonthly = 6 }, [],
            [
                "2026-11-30T10:00=monthly,newest", "2026-10-25T10:00=monthly", "2026-09-06T10:00=monthly", "2026-08-02T10:00=monthly",
                "2026-01-04T10:00=monthly", "2025-12-29T10:00=monthly",
            ]
        },
        {
            "yearly 5: counts left, so the oldest set is kept too", new RetentionPolicy { KeepYearly = 5 }, [],
            ["2026-11-30T10:00=yearly,newest", "2025-12-29T10:00=yearly", "2024-12-30T10:00=yearly", "2024-03-01T10:00=yearly"]
        },
        {
            "within 7 days of the newest set, not of now", new RetentionPolicy { KeepWithin = TimeSpan.FromDays(7) }, [],
            [
                "2026-11-30T10:00=within,newest", "2026-11-29T22:00=within", "2026-11-29T09:00=within", "2026-11-27T10:00=within",
                "2026-11-25T10:00=within",
            ]
        },
        {
            "last 2 and daily 3 count separately", new RetentionPolicy { KeepLast = 2, KeepDaily = 3 }, [],
            ["2026-11-30T10:00=last,daily,newest", "2026-11-29T22:00=last,daily", "2026-11-27T10:00=daily"]
        },
        {
            "the plan's weekly manual backups: 8 weekly, 12 monthly, within 7 days", RetentionPolicy.WeeklyManualBackups, [],
            [
                "2026-11-30T10:00=within,weekly,monthly,newest", "2026-11-29T22:00=within,weekly", "2026-11-29T09:00=within",
                "2026-11-27T10:00=within", "2026-11-25T10:00=within", "2026-11-22T10:00=weekly", "2026-11-15T10:00=weekly",
                "2026-11-08T10:00=weekly", "2026-11-01T10:00=weekly", "2026-10-25T10:00=weekly,monthly", "2026-10-04T10:00=weekly",
                "2026-09-06T10:00=monthly", "2026-08-02T10:00=monthly", "2026-01-04T10:00=monthly", "2025-12-29T10:00=monthly",
                "2025-06-15T10:00=monthly", "2024-12-30T10:00=monthly", "2024-03-01T10:00=monthly",
            ]
        },
        {
            "last 1 keeps the newest verified set too", new RetentionPolicy { KeepLast = 1 }, ["2026-11-25T10:00", "2026-11-08T10:00"],
            ["2026-11-30T10:00=last,newest", "2026-11-25T10:00=newest verified"]
        },
        {
            "the newest set is its own newest verified set", new RetentionPolicy { KeepDaily = 1 }, ["2026-11-30T10:00"],
            ["2026-11-30T10:00=daily,newest,newest verified"]
        },
        {
            "a zero count next to a real one is ignored", new RetentionPolicy { KeepLast = 0, KeepMonthly = 1 }, [],
            ["2026-11-30T10:00=monthly,newest"]
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_policy_keeps_what_restic_forget_would_plus_the_newest_and_the_newest_verified_set(
        string name, RetentionPolicy policy, string[] verified, string[] expected)
    {
        var sets = Starts.Select(s => Database(s, verified.Contains(s))).Reverse(); // the order of the input does not matter

        var decisions = RetentionPlanner.Plan(sets, policy, Now);

        Assert.Equal(Starts, decisions.Select(d => d.Id).ToArray());
        var kept = decisions.Where(d => d.Action == RetentionAction.Keep).Select(d => $"{d.Id}={string.Join(',', d.Reasons)}").ToArray();
        Assert.True(expected.SequenceEqual(kept), $"{name}: expected\n  {string.Join("\n  ", expected)}\nkept\n  {string.Join("\n  ", kept)}");
        Assert.All(decisions.Where(d => d.Action == RetentionAction.Remove), d => Assert.Empty(d.Reasons));
    }

    [Fact]
    public void Each_kind_and_each_source_is_counted_on_its_own()
    {
        var sets = new[]
        {
            new RetentionCandidate("db-a-new", BackupKind.Database, "a:5432/postgres", At("2026-11-30T10:00"), false),
            new RetentionCandidate("db-a-old", BackupKind.Database, "a:5432/postgres", At("2026-11-29T10:00"), false),
            new RetentionCandidate("db-b-old", BackupKind.Database, "b:5432/postgres", At("2026-11-20T10:00"), false),
            new RetentionCandidate("db-b-older", BackupKind.Database, "b:5432/postgres", At("2026-11-19T10:00"), false),
            new RetentionCandidate("storage-old", BackupKind.Storage, "https://a.supabase.co", At("2026-10-01T10:00"), false),
            new RetentionCandidate("storage-older", BackupKind.Storage, "https://a.supabase.co", At("2026-09-01T10:00"), true),
            new RetentionCandidate("storage-oldest", BackupKind.Storage, "https://a.supabase.co", At("2026-08-01T10:00"), false),
        };

        var decisions = RetentionPlanner.Plan(sets, new RetentionPolicy { KeepLast = 1 }, Now);

        Assert.Equal(
            ["db-a-new=Keep:last,newest", "db-a-old=Remove:", "db-b-old=Keep:last,newest", "db-b-older=Remove:",
             "storage-old=Keep:last,newest", "storage-older=Keep:newest verified", "storage-oldest=Remove:"],
            decisions.Select(d => $"{d.Id}={d.Action}:{string.Join(',', d.Reasons)}").ToArray());
    }

    [Fact]
    public void A_set_dated_in_the_future_does_not_move_the_within_window()
    {
        var sets = new[]
        {
            new RetentionCandidate("future", BackupKind.Database, Source, Now.AddDays(30), false),
            new RetentionCandidate("yesterday", BackupKind.Database, Source, Now.AddDays(-1), false),
            new RetentionCandidate("six-days-ago", BackupKind.Database, Source, Now.AddDays(-6), false),
            new RetentionCandidate("ten-days-ago", BackupKind.Database, Source, Now.AddDays(-10), false),
        };

        var decisions = RetentionPlanner.Plan(sets, new RetentionPolicy { KeepWithin = TimeSpan.FromDays(7) }, Now);

        Assert.Equal(["future=Keep", "yesterday=Keep", "six-days-ago=Keep", "ten-days-ago=Remove"],
            decisions.Select(d => $"{d.Id}={d.Action}").ToArray());
    }

    [Theory]
    [MemberData(nameof(EmptyPolicies))]
    public void A_policy_that_keeps_nothing_is_refused_rather_than_removing_every_set(RetentionPolicy policy)
    {
        var ex = Assert.Throws<HotmessException>(() => RetentionPlanner.Plan([Database(Starts[0], false)], policy, Now));

        Assert.Equal("RetentionPolicyEmpty", ex.ErrorId);
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
    }

    public static TheoryData<RetentionPolicy> EmptyPolicies => new()
    {
        new RetentionPolicy(),
        new RetentionPolicy { KeepLast = 0, KeepDaily = 0, KeepWithin = TimeSpan.Zero },
    };

    [Fact]
    public void A_negative_count_is_refused_with_its_name()
    {
        var ex = Assert.Throws<HotmessException>(() => RetentionPlanner.Plan([], new RetentionPolicy { KeepDaily = 7, KeepWeekly = -1 }, Now));

        Assert.Equal("RetentionPolicyInvalid", ex.ErrorId);
        Assert.Contains("KeepWeekly", ex.Message, StringComparison.Ordinal);
    }

    private static RetentionCandidate Database(string start, bool verified) => new(start, BackupKind.Database, Source, At(start), verified);

    private static DateTimeOffset At(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
