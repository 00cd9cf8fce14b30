using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Alerting;

/// <summary>
/// Writes alert messages. Every text that came from a check goes through <see cref="Scrub"/>: the values of the
/// secrets the caller names (routing key, webhook URL, API keys…) and passwords in connection strings become
/// <c>****</c>, so an alert never carries a secret even when a check's message quoted one.
/// </summary>
public sealed partial class AlertText(IReadOnlyList<string> secrets, IReadOnlyList<EmergencyContact> contacts)
{
    private readonly string[] _secrets = secrets.Where(s => s.Length >= 4).OrderByDescending(s => s.Length).ToArray();

    public string Scrub(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, "****", StringComparison.Ordinal);
        }

        // Connection strings quoted inside a sentence: keyword passwords and URI user info.
        text = KeywordPassword().Replace(text, m => m.Groups["key"].Value + "****");
        return UriUserInfo().Replace(text, "://****@");
    }

    [GeneratedRegex(@"(?<key>\b(?:password|pwd|psw)\s*=\s*)(?:'[^']*'|[^;\s]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeywordPassword();

    [GeneratedRegex(@"://[^/\s@]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UriUserInfo();

    public AlertMessage Compose(AlertKind kind, AlertSeverity level, string dedupKey, IReadOnlyList<AlertProblem> problems, DateTimeOffset now)
    {
        var checks = problems.Select(p => new AlertedCheck(p.Check, p.Severity, p.Status, Scrub(p.Value), Scrub(p.Threshold), Scrub(p.Message), p.FirstFailedUtc)).ToList();
        var shownContacts = level == AlertSeverity.Critical && kind != AlertKind.Resolved ? contacts : [];
        var subject = kind switch
        {
            AlertKind.Digest => $"[{level}] HOTMESS daily digest: {checks.Count} open {(checks.Count == 1 ? "problem" : "problems")}",
            AlertKind.Resolved => $"[Resolved] {checks[0].Check} is healthy again",
            AlertKind.Reminder => $"[{level}] Reminder: {checks[0].Check} is still {checks[0].Status} since {Time(checks[0].FirstFailedUtc)}",
            _ => $"[{level}] {checks[0].Check} is {checks[0].Status}: {checks[0].Message}",
        };

        var text = new StringBuilder(subject).AppendLine().AppendLine();
        foreach (var check in checks)
        {
            text.Append(CultureInfo.InvariantCulture, $"- {check.Check}: {check.Status}");
            if (!string.IsNullOrEmpty(check.Value))
            {
                text.Append(CultureInfo.InvariantCulture, $", {check.Value}");
            }

            if (!string.IsNullOrEmpty(check.Threshold))
            {
                text.Append(CultureInfo.InvariantCulture, $" (threshold {check.Threshold})");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $", failing since {Time(check.FirstFailedUtc)}. {check.Message}");
        }

        if (kind == AlertKind.Resolved)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Healthy again at {Time(now)}.");
        }

        if (shownContacts.Count > 0)
        {
            text.AppendLine().AppendLine("Emergency contacts:");
            foreach (var contact in shownContacts)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {contact.Role}: {contact.Contact} ({contact.Availability})");
            }
        }

        var id = $"{dedupKey}/{kind}/{level}/{now.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}".ToLowerInvariant();
        return new AlertMessage(id, kind, level, dedupKey, Scrub(subject), text.ToString(), checks, shownContacts);
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
