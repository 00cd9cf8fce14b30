namespace Hotmess.Recovery.Alerting;

/// <summary>
/// Everything Send-HotmessAlert remembers between runs, kept in the repository (<c>alerts/state.json</c>) so a
/// scheduled job and an interactive session share it: one alert per problem, reminders, what to resolve.
/// </summary>
public sealed class AlertState
{
    public int FormatVersion { get; set; } = 1;

    /// <summary>By check name.</summary>
    public Dictionary<string, AlertProblem> Problems { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The business day (in the business hours' time zone) the last Low digest went out.</summary>
    public DateOnly? LastDigestDay { get; set; }
}
