using System.Globalization;
using System.Text;

namespace Hotmess.Recovery.Drills;

/// <summary>The report of one drill, in Markdown: verdict per objective, the timed steps, and the improvements.</summary>
public static class DrillReport
{
    public static string RenderMarkdown(DrillRecord record)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Recovery drill: {record.Scenario}").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Drill: {record.Id}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Target: {Escape(record.Target)}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Simulated incident: {record.SimulatedIncidentUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC  ");
        if (record.SurvivingSetId is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"What survived: backup set {record.SurvivingSetId}  ");
        }

        md.AppendLine(CultureInfo.InvariantCulture, $"Result: **{(record.Passed ? "PASSED" : "FAILED")}**").AppendLine();

        md.AppendLine("## Objectives").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Measured against {Escape(record.ObjectivesSource)}.").AppendLine();
        md.AppendLine("| objective | target | measured | result |");
        md.AppendLine("|---|---|---|---|");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| RTO (simulated incident → service verified) | {DrillText.Duration(record.RtoObjective)} | {Measured(record.Rto)} | {(record.RtoPassed ? "passed" : "**failed**")} |");
        md.AppendLine(CultureInfo.InvariantCulture,
            $"| RPO (incident − newest data recovered) | {(record.RpoObjective is { } o ? DrillText.Duration(o) : "case-dependent")} | {Measured(record.Rpo)} | {(record.RpoPassed ? "passed" : "**failed**")} |");
        md.AppendLine();
        foreach (var finding in record.Findings)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {Escape(finding)}");
        }

        md.AppendLine().AppendLine("## Steps").AppendLine();
        md.AppendLine("| step | started (UTC) | duration | result | detail |");
        md.AppendLine("|---|---|---|---|---|");
        foreach (var step in record.Steps)
        {
            var name = step.Cleanup ? $"{step.Name} (cleanup)" : step.Name;
            var result = step.Passed ? "passed" : $"**failed**{(step.ErrorId is null ? "" : $" ({step.ErrorId})")}";
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {Escape(name)} | {step.StartedUtc.UtcDateTime:HH:mm:ss} | {DrillText.Duration(step.Duration)} | {result} | {Escape(step.Detail ?? "")} |");
        }

        md.AppendLine().AppendLine("## Improvements").AppendLine();
        if (record.Improvements.Count == 0)
        {
            md.AppendLine("- None drawn from this drill: every step passed and no step took more than half of the RTO objective.");
        }

        foreach (var improvement in record.Improvements)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- [ ] {Escape(improvement)}");
        }

        md.AppendLine().AppendLine("- [ ] Update documentation (the plan's last drill step) with what this drill taught.");
        return md.ToString();
    }

    private static string Measured(TimeSpan? span) => span is { } s ? DrillText.Duration(s) : "not measured";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
