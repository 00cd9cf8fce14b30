using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Alerting;

/// <summary>
/// Routes check results by the escalation table and remembers what it sent (<see cref="AlertState"/>):
/// <list type="bullet">
/// <item>a check that is not healthy (Unhealthy or Degraded) for <c>failureThreshold</c> runs in a row alerts once on
/// its severity's channels; later runs send nothing more while it stays so;</item>
/// <item>once it outlives its level's response time unresolved, a reminder goes to the next severity's channels (Low
/// to Medium, … up to Critical, which is reminded on its own channels);</item>
/// <item>healthy again, a resolved message goes to each channel that was alerted (PagerDuty: resolve with the
/// trigger's dedup key);</item>
/// <item>Low problems wait for one daily digest, sent inside business hours;</item>
/// <item>a channel that fails does not stop the others: its message stays owed and is sent again next run;</item>
/// <item>a problem that fails again while a resolved message is still owed was never closed on that channel: it is
/// reopened with its dedup key (PagerDuty's incident stays the one open incident), the owed resolve is dropped, and
/// only the channels that did accept the resolution are alerted again, so the next resolve closes everything.</item>
/// </list>
/// <see cref="Plan"/> changes nothing; <see cref="DeliverAsync"/> sends what was approved and updates the state.
/// Skipped results, and checks not in this run, leave their problems as they are.
/// </summary>
public sealed class AlertRouter
{
    private readonly AlertingSettings _settings;
    private readonly AlertState _state;
    private readonly IReadOnlyDictionary<AlertChannel, IAlertSender> _senders;
    private readonly IReadOnlyDictionary<AlertChannel, string> _unavailable;
    private readonly AlertText _text;
    private readonly TimeProvider _clock;
    private readonly IOperationLog _log;

    /// <param name="unavailable">Why a channel has no sender (e.g. its URL or key is not set); its messages fail and stay owed.</param>
    /// <param name="secrets">Values no message may carry.</param>
    public AlertRouter(
        AlertingSettings settings,
        AlertState state,
        IEnumerable<IAlertSender> senders,
        IReadOnlyDictionary<AlertChannel, string>? unavailable,
        IReadOnlyList<string> secrets,
        TimeProvider? clock = null,
        IOperationLog? log = null)
    {
        settings.Validate();
        _settings = settings;
        _state = state;
        _senders = senders.ToDictionary(s => s.Channel);
        _unavailable = unavailable ?? new Dictionary<AlertChannel, string>();
        _text = new AlertText(secrets, settings.EffectiveContacts);
        _clock = clock ?? TimeProvider.System;
        _log = log ?? NullOperationLog.Instance;
    }

    /// <summary>What this run sends for these results, owed messages included; the state is not changed.</summary>
    public AlertPlan Plan(IEnumerable<HealthCheckResult> results)
    {
        var now = _clock.GetUtcNow();
        var working = Clone(_state);
        var planned = new List<PlannedAlert>();
        var latest = new Dictionary<string, HealthCheckResult>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in results)
        {
            latest[result.Name] = result;
        }

        // Messages owed from earlier runs first, unless this run's results make them moot.
        foreach (var problem in working.Problems.Values)
        {
            var result = latest.GetValueOrDefault(problem.Check);
            var healthyNow = result?.Status == HealthStatus.Healthy;
            foreach (var pending in problem.Pending)
            {
                if (healthyNow && pending.Kind is AlertKind.Alert or AlertKind.Reminder)
                {
                    continue;
                }

                if (result is not null && !healthyNow && result.Status != HealthStatus.Skipped && pending.Kind == AlertKind.Resolved)
                {
                    continue;
                }

                planned.Add(Message(pending.Kind, pending.Channel, pending.Level, [problem], problem.DedupKey, now));
            }
        }

        foreach (var result in latest.Values)
        {
            working.Problems.TryGetValue(result.Name, out var problem);
            switch (result.Status)
            {
                case HealthStatus.Skipped:
                    _log.Verbose($"{result.Name}: skipped, its alerts are left as they are.");
                    break;
                case HealthStatus.Healthy:
                    if (problem is not null && problem.ResolvedUtc is null)
                    {
                        foreach (var channel in problem.Alerted)
                        {
                            planned.Add(Message(AlertKind.Resolved, channel, problem.Level, [problem], problem.DedupKey, now));
                        }

                        if (problem.Alerted.Count == 0)
                        {
                            _log.Verbose($"{result.Name}: healthy again before anyone was alerted.");
                        }
                    }

                    break;
                default:
                    PlanProblem(result, problem, planned, now);
                    break;
            }
        }

        PlanDigest(working, latest, planned, now);
        return new AlertPlan(now, planned.DistinctBy(p => (p.Message.Kind, p.Channel, string.Join("|", p.Checks))).ToList());
    }

    /// <summary>
    /// Sends the approved messages (all of them when <paramref name="approved"/> is null), each channel on its own so
    /// one failing does not stop the others, and brings the state up to date with this run's results.
    /// </summary>
    public async Task<IReadOnlyList<AlertDelivery>> DeliverAsync(
        AlertPlan plan, IEnumerable<HealthCheckResult> results, Func<PlannedAlert, bool>? approved, CancellationToken cancellationToken)
    {
        var now = plan.NowUtc;
        var latest = new Dictionary<string, HealthCheckResult>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in results)
        {
            latest[result.Name] = result;
        }

        Record(latest, now);
        var deliveries = new List<AlertDelivery>();
        foreach (var alert in plan.Alerts)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AlertDelivery delivery;
            if (approved is not null && !approved(alert))
            {
                delivery = Delivery(alert, AlertDeliveryStatus.Planned, now);
            }
            else if (!_senders.TryGetValue(alert.Channel, out var sender))
            {
                var why = _unavailable.GetValueOrDefault(alert.Channel, $"no {alert.Channel} channel is configured");
                delivery = Delivery(alert, AlertDeliveryStatus.Failed, now, "AlertChannelNotConfigured", _text.Scrub(why));
            }
            else
            {
                try
                {
                    await sender.SendAsync(alert.Message, cancellationToken).ConfigureAwait(false);
                    delivery = Delivery(alert, AlertDeliveryStatus.Sent, now);
                    _log.Verbose($"Sent the {alert.Message.Kind} about {string.Join(", ", alert.Checks)} by {alert.Channel} to {sender.Target}.");
                }
                catch (HotmessException ex)
                {
                    delivery = Delivery(alert, AlertDeliveryStatus.Failed, now, ex.ErrorId, _text.Scrub(ex.Message));
                }
            }

            Apply(alert, delivery);
            deliveries.Add(delivery);
        }

        // A problem whose resolution every alerted channel has accepted is over.
        foreach (var done in _state.Problems.Values.Where(p => p.ResolvedUtc is not null && p.Alerted.Count == 0 && p.Pending.Count == 0).ToList())
        {
            _state.Problems.Remove(done.Check);
        }

        return deliveries;
    }

    private void PlanProblem(HealthCheckResult result, AlertProblem? problem, List<PlannedAlert> planned, DateTimeOffset now)
    {
        var open = IsOpen(problem);
        var failures = open ? problem!.Failures + 1 : 1;
        if (failures < _settings.FailureThreshold)
        {
            _log.Verbose($"{result.Name}: {result.Status}, failure {failures} of the {_settings.FailureThreshold} in a row that alert.");
            return;
        }

        var snapshot = Snapshot(result, open ? problem : null, now);
        var alerted = open && (problem!.AlertedUtc is not null || problem.Pending.Any(p => p.Kind is AlertKind.Alert or AlertKind.Reminder) || problem.InDigest);
        if (!alerted)
        {
            if (result.Severity == AlertSeverity.Low)
            {
                _log.Verbose($"{result.Name}: Low, waits for the daily digest.");
                return;
            }

            foreach (var channel in _settings.LevelOf(result.Severity).Channels!)
            {
                planned.Add(Message(AlertKind.Alert, channel, result.Severity, [snapshot], snapshot.DedupKey, now));
            }

            return;
        }

        if (result.Severity < problem!.Level)
        {
            // Worse than when it was alerted (a lower value is more urgent): alert at once at the new severity.
            foreach (var channel in _settings.LevelOf(result.Severity).Channels!)
            {
                planned.Add(Message(AlertKind.Alert, channel, result.Severity, [snapshot], snapshot.DedupKey, now));
            }

            return;
        }

        if (problem.ResolvedUtc is not null)
        {
            // Back before every alerted channel took the resolution: those still hold the open alert under this dedup
            // key, so only the channels that were told it is resolved hear that it is back.
            _log.Verbose($"{result.Name}: failing again while its resolution is owed to {string.Join(", ", problem.Alerted)}; reopened under {problem.DedupKey}.");
            foreach (var channel in _settings.LevelOf(problem.Level).Channels!.Where(c => !problem.Alerted.Contains(c)))
            {
                planned.Add(Message(AlertKind.Alert, channel, problem.Level, [snapshot], snapshot.DedupKey, now));
            }

            return;
        }

        if (problem.LastNotifiedUtc is { } last && now - last >= _settings.LevelOf(problem.Level).ReminderInterval(problem.Level))
        {
            var next = problem.Level == AlertSeverity.Critical ? AlertSeverity.Critical : problem.Level - 1;
            foreach (var channel in _settings.LevelOf(next).Channels!)
            {
                planned.Add(Message(AlertKind.Reminder, channel, next, [snapshot], snapshot.DedupKey, now));
            }
        }
    }

    private void PlanDigest(AlertState working, Dictionary<string, HealthCheckResult> latest, List<PlannedAlert> planned, DateTimeOffset now)
    {
        var (day, inside) = _settings.BusinessHours.At(now);
        var waiting = working.Problems.Values.Where(p => p.InDigest && p.ResolvedUtc is null && latest.GetValueOrDefault(p.Check)?.Status != HealthStatus.Healthy).ToList();
        foreach (var result in latest.Values.Where(r => r.Severity == AlertSeverity.Low && r.Status is HealthStatus.Unhealthy or HealthStatus.Degraded))
        {
            working.Problems.TryGetValue(result.Name, out var problem);
            var open = IsOpen(problem);
            var failures = open ? problem!.Failures + 1 : 1;
            if (failures >= _settings.FailureThreshold && (!open || (problem!.AlertedUtc is null && !problem.InDigest)))
            {
                waiting.Add(Snapshot(result, open ? problem : null, now));
            }
        }

        if (waiting.Count == 0 || !inside || working.LastDigestDay == day)
        {
            if (waiting.Count > 0)
            {
                _log.Verbose($"{waiting.Count} Low problem(s) wait for the digest: {(inside ? "today's was sent" : "outside business hours")}.");
            }

            return;
        }

        var key = $"hotmess-digest-{day:yyyyMMdd}";
        foreach (var channel in _settings.LevelOf(AlertSeverity.Low).Channels!)
        {
            planned.Add(Message(AlertKind.Digest, channel, AlertSeverity.Low, waiting.OrderBy(p => p.Check, StringComparer.Ordinal).ToList(), key, now));
        }
    }

    /// <summary>Brings each problem up to date with this run's results: failures counted, new problems opened, resolutions marked.</summary>
    private void Record(Dictionary<string, HealthCheckResult> latest, DateTimeOffset now)
    {
        foreach (var result in latest.Values)
        {
            _state.Problems.TryGetValue(result.Name, out var problem);
            if (result.Status == HealthStatus.Skipped)
            {
                continue;
            }

            if (result.Status == HealthStatus.Healthy)
            {
                if (problem is null || problem.ResolvedUtc is not null)
                {
                    continue;
                }

                problem.Pending.RemoveAll(p => p.Kind is AlertKind.Alert or AlertKind.Reminder);
                problem.InDigest = false;
                problem.ResolvedUtc = now;
                problem.LastCheckedUtc = now;
                continue;
            }

            var updated = Snapshot(result, IsOpen(problem) ? problem : null, now);
            updated.Pending.RemoveAll(p => p.Kind == AlertKind.Resolved);
            _state.Problems[result.Name] = updated;
            if (updated.Failures >= _settings.FailureThreshold && result.Severity == AlertSeverity.Low && updated.AlertedUtc is null)
            {
                updated.InDigest = true;
            }
        }
    }

    private void Apply(PlannedAlert alert, AlertDelivery delivery)
    {
        var message = alert.Message;
        foreach (var check in alert.Checks)
        {
            if (!_state.Problems.TryGetValue(check, out var problem))
            {
                continue;
            }

            problem.Pending.RemoveAll(p => p.Channel == alert.Channel && (p.Kind == message.Kind || (message.Kind != AlertKind.Resolved && p.Kind != AlertKind.Resolved)));
            if (delivery.Status != AlertDeliveryStatus.Sent)
            {
                if (message.Kind != AlertKind.Digest)
                {
                    problem.Pending.Add(new PendingAlert { Kind = message.Kind, Channel = alert.Channel, Level = message.Level, Attempts = 1, LastError = delivery.Error });
                }

                continue;
            }

            if (message.Kind == AlertKind.Resolved)
            {
                problem.Alerted.Remove(alert.Channel);
                continue;
            }

            problem.AlertedUtc ??= delivery.TimeUtc;
            problem.LastNotifiedUtc = delivery.TimeUtc;
            problem.Level = message.Level;
            problem.InDigest = false;
            if (!problem.Alerted.Contains(alert.Channel))
            {
                problem.Alerted.Add(alert.Channel);
            }
        }

        if (message.Kind == AlertKind.Digest && delivery.Status == AlertDeliveryStatus.Sent)
        {
            _state.LastDigestDay = _settings.BusinessHours.At(delivery.TimeUtc).Day;
        }
    }

    private AlertProblem Snapshot(HealthCheckResult result, AlertProblem? open, DateTimeOffset now)
    {
        var problem = open is null
            ? new AlertProblem
            {
                Check = result.Name,
                FirstFailedUtc = now,
                Level = result.Severity,
                DedupKey = $"hotmess-{result.Name.ToLowerInvariant()}-{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}",
            }
            : Clone(open);
        problem.Severity = result.Severity;
        problem.Status = result.Status;
        problem.Value = result.Value;
        problem.Threshold = result.Threshold;
        problem.Message = result.Message;
        problem.LastCheckedUtc = now;
        problem.Failures = (open?.Failures ?? 0) + 1;
        problem.ResolvedUtc = null;
        return problem;
    }

    /// <summary>Not yet resolved, or resolved but not yet on every channel that was alerted (its resolve is owed).</summary>
    private static bool IsOpen(AlertProblem? problem) => problem is not null && (problem.ResolvedUtc is null || problem.Alerted.Count > 0);

    private PlannedAlert Message(AlertKind kind, AlertChannel channel, AlertSeverity level, IReadOnlyList<AlertProblem> problems, string dedupKey, DateTimeOffset now)
    {
        var target = _senders.TryGetValue(channel, out var sender) ? sender.Target : "(not configured)";
        return new PlannedAlert(channel, target, _text.Compose(kind, level, dedupKey, problems, now));
    }

    private static AlertDelivery Delivery(PlannedAlert alert, AlertDeliveryStatus status, DateTimeOffset now, string? errorId = null, string? error = null) =>
        new(string.Join(", ", alert.Checks), alert.Message.Level, alert.Message.Kind, alert.Channel, alert.Target, status,
            alert.Message.Subject, alert.Message.DedupKey, now, errorId, error);

    private static T Clone<T>(T value) => Json.Deserialize<T>(Json.Serialize(value));
}
