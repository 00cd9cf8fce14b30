using System.Globalization;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Retention;

/// <summary>Durations as restic users write them (<c>7d</c>, <c>2w</c>, <c>36h</c>, <c>90m</c>), or a .NET TimeSpan such as <c>7.00:00:00</c>.</summary>
public static partial class RetentionDuration
{
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var match = ShortForm().Match(text.Trim());
        if (!match.Success)
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration);
        }

        var amount = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        duration = match.Groups[2].Value switch
        {
            "w" => TimeSpan.FromDays(7 * amount),
            "d" => TimeSpan.FromDays(amount),
            "h" => TimeSpan.FromHours(amount),
            _ => TimeSpan.FromMinutes(amount),
        };
        return true;
    }

    [GeneratedRegex("^([0-9]{1,6})([wdhm])$", RegexOptions.CultureInvariant)]
    private static partial Regex ShortForm();
}
