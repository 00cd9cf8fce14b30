using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Reports;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// Writes an <see cref="IncidentRecord"/> as Markdown (for people and tickets) or JSON (for audits and
/// dashboards). Every record has the same JSON properties, set or null, whichever procedure wrote it.
/// </summary>
public static class IncidentRecordRenderer
{
    // Nulls are written: one property set for every record, so readers need no per-runbook schema.
    private static readonly JsonSerializerOptions JsonOptions = new(Json.Options) { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    public static string Render(IncidentRecord record, ReportFormat format) =>
        format == ReportFormat.Json ? RenderJson(record) : RenderMarkdown(record);

    /// <summary>The file extension of a format, without the dot.</summary>
    public static string Extension(ReportFormat format) => format == ReportFormat.Json ? "json" : "md";

    public static string RenderJson(IncidentRecord record)
    {
        var facts = new JsonObject();
        foreach (DictionaryEntry fact in record.Facts)
        {
            facts[(string)fact.Key] = (string?)fact.Value;
        }

        return JsonSerializer.Serialize(
            new
            {
                record.Id,
                record.Procedure,
                record.Reason,
                record.PerformedBy,
                record.Outcome,
                record.StartedUtc,
                record.CompletedUtc,
                DurationSeconds = Seconds(record.Duration),
                record.ErrorId,
                record.Error,
                Facts = facts,
                Steps = record.Steps.Select(s => new
                {
                    s.Name,
                    s.Status,
                    s.StartedUtc,
                    DurationSeconds = Seconds(s.Duration),
                    s.Detail,
                    s.ErrorId,
                }),
                record.Notes,
                record.NextSteps,
                record.Severity,
                record.Scenario,
                record.ImpactStartedUtc,
                record.RecoveredToUtc,
                record.StatusPageIncidentId,
                record.Improvements,
            },
            JsonOptions);
    }

    public static string RenderMarkdown(IncidentRecord record)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Incident record: {record.Procedure}").AppendLine();
        md.AppendLine("| | |").AppendLine("|---|---|");
        Row(md, "Id", record.Id);
        Row(md, "Outcome", record.Outcome ?? "open");
        Row(md, "Reason", record.Reason);
        Row(md, "Started", Time(record.StartedUtc));
        Row(md, "Completed", record.CompletedUtc is { } completed ? Time(completed) : null);
        Row(md, "Duration", record.Duration is { } duration ? Elapsed(duration) : null);
        Row(md, "Performed by", record.PerformedBy);
        if (record.ErrorId is not null || record.Error is not null)
        {
            Row(md, "Error", $"{record.ErrorId}: {record.Error}");
        }

        foreach (DictionaryEntry fact in record.Facts)
        {
            Row(md, (string)fact.Key, (string?)fact.Value);
        }

        md.AppendLine().AppendLine("## Steps").AppendLine();
        if (record.Steps.Count == 0)
        {
            md.AppendLine("None.");
        }
        else
        {
            md.AppendLine("| Step | Status | Started | Duration | Detail |").AppendLine("|---|---|---|---|---|");
            foreach (var step in record.Steps)
            {
                var detail = step.ErrorId is null ? step.Detail : $"{step.ErrorId}: {step.Detail}";
                md.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Escape(step.Name)} | {step.Status} | {step.StartedUtc.UtcDateTime:HH:mm:ss} | {(step.Duration is { } d ? Elapsed(d) : "")} | {Escape(detail)} |");
            }
        }

        if (record.Notes.Count > 0)
        {
            md.AppendLine().AppendLine("## Notes").AppendLine();
            foreach (var note in record.Notes)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- {note.TimeUtc.UtcDateTime:HH:mm:ss} UTC: {note.Text}");
            }
        }

        md.AppendLine().AppendLine("## Next steps").AppendLine();
        if (record.NextSteps.Count == 0)
        {
            md.AppendLine("None.");
        }

        foreach (var next in record.NextSteps)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- [ ] {next}");
        }

        return md.ToString();
    }

    private static double? Seconds(TimeSpan? duration) => duration is { } d ? Math.Round(d.TotalSeconds, 3) : null;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    private static string Elapsed(TimeSpan duration) =>
        duration.TotalSeconds < 10
            ? duration.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
            : duration.TotalSeconds.ToString("N0", CultureInfo.InvariantCulture) + " s";

    private static void Row(StringBuilder md, string name, string? value) =>
        md.AppendLine(CultureInfo.InvariantCulture, $"| {Escape(name)} | {Escape(value)} |");

    private static string Escape(string? text) =>
        (text ?? "").Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
