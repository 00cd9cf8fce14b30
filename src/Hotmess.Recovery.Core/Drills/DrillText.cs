using System.Globalization;

namespace Hotmess.Recovery.Drills;

/// <summary>Durations as a person reads them in a drill's findings and report: "2 h 05 min", "12 min 04 s", "3.2 s".</summary>
public static class DrillText
{
    public static string Duration(TimeSpan span)
    {
        var sign = span < TimeSpan.Zero ? "-" : "";
        span = span.Duration();
        return sign + (span switch
        {
            { TotalDays: >= 2 } => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0} h"),
            { TotalHours: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{(int)span.TotalHours} h {span.Minutes:00} min"),
            { TotalMinutes: >= 1 } => string.Create(CultureInfo.InvariantCulture, $"{span.Minutes} min {span.Seconds:00} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{span.TotalSeconds:0.0##} s"),
        });
    }
}
