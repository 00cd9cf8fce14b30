using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Retention;

namespace Hotmess.Recovery.Configuration;

/// <summary>
/// The <c>retention</c> section: what Remove-HotmessBackup keeps when no Keep parameter is given. Either the counts
/// themselves, or <c>"preset": "weeklyManualBackups"</c> for the plan's default (8 weekly, 12 monthly, every set of
/// the last 7 days), whose values the counts beside it override.
/// </summary>
public sealed class RetentionSettings
{
    public const string WeeklyManualBackupsPreset = "weeklyManualBackups";

    public string? Preset { get; set; }

    public int? KeepLast { get; set; }

    public int? KeepHourly { get; set; }

    public int? KeepDaily { get; set; }

    public int? KeepWeekly { get; set; }

    public int? KeepMonthly { get; set; }

    public int? KeepYearly { get; set; }

    /// <summary>A duration such as <c>7d</c>, <c>36h</c> or <c>7.00:00:00</c>.</summary>
    public string? KeepWithin { get; set; }

    /// <summary>
    /// How long log sets are kept (the plan keeps security logs a year), whatever the counts say: <c>365d</c> by default.
    /// Each log set holds its own stretch of time, so they are kept for a span, never thinned.
    /// </summary>
    public string? KeepLogsWithin { get; set; }

    /// <summary>The kinds whose sets follow a policy of their own: log sets, kept <see cref="KeepLogsWithin"/>.</summary>
    public IReadOnlyDictionary<BackupKind, RetentionPolicy> KindPolicies() => new Dictionary<BackupKind, RetentionPolicy>
    {
        [BackupKind.Log] = new RetentionPolicy
        {
            KeepWithin = string.IsNullOrWhiteSpace(KeepLogsWithin) ? TimeSpan.FromDays(365) : ParseDuration(KeepLogsWithin),
        },
    };

    /// <summary>The data retention policy file Invoke-HotmessDataRetention applies; the module's default HOTMESS policy when not set.</summary>
    public string? PolicyPath { get; set; }

    /// <summary>
    /// The longest time the data retention policy lets erased data live on (the plan's 30 days for deleted accounts,
    /// written <c>30d</c>): database sets older than this that hold data erased since are reported.
    /// </summary>
    public string? ErasureWindow { get; set; }

    /// <summary>The erasure window, 30 days when not set.</summary>
    public TimeSpan ErasureWindowOrDefault() =>
        string.IsNullOrWhiteSpace(ErasureWindow)
            ? TimeSpan.FromDays(30)
            : RetentionDuration.TryParse(ErasureWindow, out var window)
                ? window
                : throw new HotmessException("ConfigurationInvalid", FailureKind.InvalidData,
                    $"The retention erasureWindow '{ErasureWindow}' is not a duration: write e.g. '30d' or '720h'.", ErasureWindow);

    /// <summary>True when the section says nothing about which backup sets to keep; then there is no configured policy.</summary>
    [JsonIgnore]
    public bool IsEmpty =>
        Preset is null && KeepLast is null && KeepHourly is null && KeepDaily is null && KeepWeekly is null
        && KeepMonthly is null && KeepYearly is null && string.IsNullOrWhiteSpace(KeepWithin);

    /// <summary>The policy the section describes, or null when it says nothing.</summary>
    public RetentionPolicy? ToPolicy()
    {
        if (IsEmpty)
        {
            return null;
        }

        var basis = Preset switch
        {
            null => new RetentionPolicy(),
            _ when string.Equals(Preset, WeeklyManualBackupsPreset, StringComparison.OrdinalIgnoreCase) => RetentionPolicy.WeeklyManualBackups,
            _ => throw new HotmessException("ConfigurationInvalid", FailureKind.InvalidData,
                $"The retention preset '{Preset}' is unknown; the one preset is '{WeeklyManualBackupsPreset}'.", Preset),
        };

        return basis with
        {
            KeepLast = KeepLast ?? basis.KeepLast,
            KeepHourly = KeepHourly ?? basis.KeepHourly,
            KeepDaily = KeepDaily ?? basis.KeepDaily,
            KeepWeekly = KeepWeekly ?? basis.KeepWeekly,
            KeepMonthly = KeepMonthly ?? basis.KeepMonthly,
            KeepYearly = KeepYearly ?? basis.KeepYearly,
            KeepWithin = string.IsNullOrWhiteSpace(KeepWithin) ? basis.KeepWithin : ParseDuration(KeepWithin),
        };
    }

    /// <summary>Reads <c>7d</c>, <c>2w</c>, <c>36h</c>, <c>90m</c>, or a .NET TimeSpan such as <c>7.00:00:00</c>.</summary>
    public static TimeSpan ParseDuration(string text) =>
        RetentionDuration.TryParse(text, out var duration)
            ? duration
            : throw new HotmessException("ConfigurationInvalid", FailureKind.InvalidData,
                $"The retention duration keepWithin '{text}' is not a duration: write e.g. '7d', '36h' or '7.00:00:00'.", text);
}
