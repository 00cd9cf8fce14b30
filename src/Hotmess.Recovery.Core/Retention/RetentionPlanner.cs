using System.Globalization;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Retention;

/// <summary>
/// Decides which sets a policy keeps, as restic's <c>forget</c> does: each kind and source is a group of its own,
/// walked newest first; a count rule keeps the newest set of each new hour, day, ISO week, month or year (UTC,
/// by start time) until its count is spent, and keeps the oldest set too when counts are left, so the history
/// is as long as the policy allows; <see cref="RetentionPolicy.KeepWithin"/> is measured back from the newest set
/// (not from now, so a repository that stopped receiving backups is not emptied). On top of the policy, the
/// newest set of each group and the newest set of each group that passed a verification are always kept.
/// </summary>
public static class RetentionPlanner
{
    public const string NewestReason = "newest";
    public const string NewestVerifiedReason = "newest verified";
    public const string WithinReason = "within";

    /// <summary>
    /// One decision per set: groups by kind then source, each newest first. Sets of a kind named in
    /// <paramref name="kindPolicies"/> follow that kind's own policy instead (log sets, each holding its own stretch of
    /// time, are kept for a span rather than thinned to one a week).
    /// </summary>
    public static IReadOnlyList<RetentionDecision> Plan(IEnumerable<RetentionCandidate> sets, RetentionPolicy policy, DateTimeOffset now,
        IReadOnlyDictionary<BackupKind, RetentionPolicy>? kindPolicies)
    {
        ArgumentNullException.ThrowIfNull(sets);
        var candidates = sets.ToList();
        var own = kindPolicies ?? new Dictionary<BackupKind, RetentionPolicy>();
        var decisions = Plan(candidates.Where(c => !own.ContainsKey(c.Kind)), policy, now).ToList();
        foreach (var (kind, kindPolicy) in own)
        {
            decisions.AddRange(Plan(candidates.Where(c => c.Kind == kind), kindPolicy, now));
        }

        return decisions;
    }

    /// <summary>One decision per set: groups by kind then source, each newest first.</summary>
    public static IReadOnlyList<RetentionDecision> Plan(IEnumerable<RetentionCandidate> sets, RetentionPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(sets);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();

        var decisions = new List<RetentionDecision>();
        var groups = sets
            .GroupBy(s => (s.Kind, Source: s.Source ?? ""))
            .OrderBy(g => g.Key.Kind)
            .ThenBy(g => g.Key.Source, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var newestFirst = group
                .OrderByDescending(s => s.StartedUtc)
                .ThenByDescending(s => s.Id, StringComparer.Ordinal)
                .ToList();
            decisions.AddRange(PlanGroup(newestFirst, policy, now));
        }

        return decisions;
    }

    private static IEnumerable<RetentionDecision> PlanGroup(List<RetentionCandidate> newestFirst, RetentionPolicy policy, DateTimeOffset now)
    {
        var rules = new[]
        {
            new CountRule("last", policy.KeepLast ?? 0, (_, nr) => nr),
            new CountRule("hourly", policy.KeepHourly ?? 0, (t, _) => ((t.Year * 100 + t.Month) * 100 + t.Day) * 100 + t.Hour),
            new CountRule("daily", policy.KeepDaily ?? 0, (t, _) => (t.Year * 100 + t.Month) * 100 + t.Day),
            new CountRule("weekly", policy.KeepWeekly ?? 0, (t, _) => ISOWeek.GetYear(t) * 100 + ISOWeek.GetWeekOfYear(t)),
            new CountRule("monthly", policy.KeepMonthly ?? 0, (t, _) => t.Year * 100 + t.Month),
            new CountRule("yearly", policy.KeepYearly ?? 0, (t, _) => t.Year),
        };

        // Sets dated in the future (a wrong clock) do not move the window.
        var newest = newestFirst.Where(s => s.StartedUtc <= now).Select(s => s.StartedUtc).DefaultIfEmpty(now).Max();
        var withinSince = policy.KeepWithin is { } within && within > TimeSpan.Zero ? newest - within : (DateTimeOffset?)null;
        var newestVerified = newestFirst.FindIndex(s => s.Verified);

        for (var nr = 0; nr < newestFirst.Count; nr++)
        {
            var set = newestFirst[nr];
            var time = set.StartedUtc.UtcDateTime;
            var reasons = new List<string>();
            if (set.StartedUtc > withinSince)
            {
                reasons.Add(WithinReason);
            }

            foreach (var rule in rules)
            {
                if (rule.Left <= 0)
                {
                    continue;
                }

                var bucket = rule.Bucket(time, nr);
                if (bucket != rule.Last || nr == newestFirst.Count - 1)
                {
                    rule.Last = bucket;
                    rule.Left--;
                    reasons.Add(rule.Reason);
                }
            }

            if (nr == 0)
            {
                reasons.Add(NewestReason);
            }

            if (nr == newestVerified)
            {
                reasons.Add(NewestVerifiedReason);
            }

            yield return new RetentionDecision(set.Id, set.Kind, set.Source, set.StartedUtc,
                reasons.Count > 0 ? RetentionAction.Keep : RetentionAction.Remove, reasons);
        }
    }

    private sealed class CountRule(string reason, int count, Func<DateTime, int, long> bucket)
    {
        public string Reason { get; } = reason;

        public Func<DateTime, int, long> Bucket { get; } = bucket;

        public int Left { get; set; } = count;

        public long Last { get; set; } = long.MinValue;
    }
}
