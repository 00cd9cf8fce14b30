using System.Text.Json.Serialization;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The <c>alerting</c> section: the plan's escalation table (response time and channels per severity), how many
/// failed checks in a row raise an alert, the email addresses, the business hours Low alerts wait for, and the
/// emergency contacts printed in every Critical alert. Every part defaults to the plan.
/// </summary>
public sealed class AlertingSettings
{
    /// <summary>Consecutive failed runs of a check before it alerts; 1 because Critical is "immediate".</summary>
    public int FailureThreshold { get; set; } = 1;

    /// <summary>Per severity; a severity left out keeps the plan's row (see <see cref="LevelOf"/>).</summary>
    public Dictionary<AlertSeverity, EscalationLevel> Escalation { get; set; } = [];

    public AlertEmailSettings Email { get; set; } = new();

    public BusinessHours BusinessHours { get; set; } = new();

    /// <summary>The plan's Emergency Contacts table; the plan's rows when the section gives none.</summary>
    public List<EmergencyContact>? Contacts { get; set; }

    /// <summary>The plan's Emergency Contacts table.</summary>
    [JsonIgnore]
    public static IReadOnlyList<EmergencyContact> PlanContacts { get; } =
    [
        new("Technical Lead", "[TBD]", "24/7"),
        new("Database Admin", "Supabase Support", "Business hours"),
        new("Hosting Support", "Vercel Support", "24/7"),
        new("Security Lead", "[TBD]", "24/7"),
    ];

    [JsonIgnore]
    public IReadOnlyList<EmergencyContact> EffectiveContacts => Contacts is { Count: > 0 } contacts ? contacts : PlanContacts;

    /// <summary>The plan's Alert Escalation row of a severity, with what the section overrides.</summary>
    public EscalationLevel LevelOf(AlertSeverity severity)
    {
        var plan = PlanLevel(severity);
        if (!Escalation.TryGetValue(severity, out var configured))
        {
            return plan;
        }

        return new EscalationLevel
        {
            ResponseTime = configured.ResponseTime ?? plan.ResponseTime,
            ReminderAfter = configured.ReminderAfter ?? plan.ReminderAfter,
            Channels = configured.Channels ?? plan.Channels,
        };
    }

    /// <summary>Checks the section once, so a mistake is named before any alert is planned.</summary>
    public void Validate()
    {
        if (FailureThreshold < 1)
        {
            throw Invalid($"alerting.failureThreshold is {FailureThreshold}; it is the number of failed runs in a row before an alert, at least 1.", "failureThreshold");
        }

        foreach (var severity in Enum.GetValues<AlertSeverity>())
        {
            var level = LevelOf(severity);
            _ = level.ResponseTimeSpan(severity);
            _ = level.ReminderInterval(severity);
            if (level.Channels is not { Count: > 0 })
            {
                throw Invalid($"alerting.escalation.{severity} has no channels; give at least one of Phone, Slack, Email.", severity.ToString());
            }
        }

        BusinessHours.Validate();
    }

    private static EscalationLevel PlanLevel(AlertSeverity severity) => severity switch
    {
        AlertSeverity.Critical => new EscalationLevel { ResponseTime = "0m", ReminderAfter = "15m", Channels = [AlertChannel.Phone, AlertChannel.Slack] },
        AlertSeverity.High => new EscalationLevel { ResponseTime = "30m", Channels = [AlertChannel.Slack, AlertChannel.Email] },
        AlertSeverity.Medium => new EscalationLevel { ResponseTime = "2h", Channels = [AlertChannel.Email] },
        _ => new EscalationLevel { ResponseTime = "1d", Channels = [AlertChannel.Email] },
    };

    internal static HotmessException Invalid(string message, string target) =>
        new("ConfigurationInvalid", FailureKind.InvalidData, message, target);
}

/// <summary>One row of the escalation table.</summary>
public sealed class EscalationLevel
{
    /// <summary>How soon someone must respond: <c>0m</c> (immediate), <c>30m</c>, <c>2h</c>, <c>1d</c>.</summary>
    public string? ResponseTime { get; set; }

    /// <summary>How long an alert may stay unresolved before a reminder goes to the next severity; the response time when not set.</summary>
    public string? ReminderAfter { get; set; }

    public List<AlertChannel>? Channels { get; set; }

    public TimeSpan ResponseTimeSpan(AlertSeverity severity) => Parse(ResponseTime ?? "0m", $"alerting.escalation.{severity}.responseTime");

    /// <summary>The response time, or <see cref="ReminderAfter"/>; never zero, so an immediate severity is not reminded every run.</summary>
    public TimeSpan ReminderInterval(AlertSeverity severity)
    {
        var interval = ReminderAfter is { } text ? Parse(text, $"alerting.escalation.{severity}.reminderAfter") : ResponseTimeSpan(severity);
        return interval > TimeSpan.Zero ? interval : TimeSpan.FromMinutes(15);
    }

    private static TimeSpan Parse(string text, string setting) =>
        Retention.RetentionDuration.TryParse(text, out var duration)
            ? duration
            : text.Trim() is "immediate" ? TimeSpan.Zero
            : throw AlertingSettings.Invalid($"{setting} '{text}' is not a duration: write e.g. '0m', '30m', '2h' or '1d'.", setting);
}

/// <summary>Where email alerts come from and go to (Resend).</summary>
public sealed class AlertEmailSettings
{
    public string? From { get; set; }

    public List<string> To { get; set; } = [];
}

/// <summary>The hours a Low alert's daily digest may be sent in, in the team's own time zone.</summary>
public sealed class BusinessHours
{
    /// <summary>An IANA time zone id.</summary>
    public string TimeZone { get; set; } = "Europe/London";

    public string Start { get; set; } = "09:00";

    public string End { get; set; } = "17:00";

    public List<DayOfWeek> Days { get; set; } = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday];

    public TimeZoneInfo Zone()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw AlertingSettings.Invalid($"alerting.businessHours.timeZone '{TimeZone}' is not a time zone this machine knows (e.g. 'Europe/London').", TimeZone);
        }
    }

    /// <summary>The local date of <paramref name="utc"/> and whether it falls inside business hours.</summary>
    public (DateOnly Day, bool Inside) At(DateTimeOffset utc)
    {
        var local = TimeZoneInfo.ConvertTime(utc, Zone());
        var time = TimeOnly.FromTimeSpan(local.TimeOfDay);
        var inside = Days.Contains(local.DayOfWeek) && time >= ParseTime(Start, "start") && time < ParseTime(End, "end");
        return (DateOnly.FromDateTime(local.DateTime), inside);
    }

    internal void Validate()
    {
        _ = Zone();
        if (ParseTime(Start, "start") >= ParseTime(End, "end"))
        {
            throw AlertingSettings.Invalid($"alerting.businessHours: start {Start} is not before end {End}.", "businessHours");
        }
    }

    private static TimeOnly ParseTime(string text, string name) =>
        TimeOnly.TryParseExact(text, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var time)
            ? time
            : throw AlertingSettings.Invalid($"alerting.businessHours.{name} '{text}' is not a time of day such as '09:00'.", name);
}
