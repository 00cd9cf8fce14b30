using System.Globalization;
using System.Net;
using System.Text;
using Hotmess.Recovery.Configuration;

namespace Hotmess.Recovery.Incidents;

/// <summary>
/// The post-incident report of the plan's Quick Reference ("write incident report, identify improvements, update
/// procedures"): summary, measured RTO and RPO against the objectives table, the timeline (steps and notes by time),
/// the actions taken, the improvements and what is left to do. Markdown for tickets, HTML for people.
/// </summary>
public static class IncidentReport
{
    public static string Render(IncidentRecord record, ObjectiveSettings objectives, IncidentReportFormat format)
    {
        var sections = Build(record, objectives);
        return format == IncidentReportFormat.Html ? Html(record, sections) : Markdown(record, sections);
    }

    public static string Extension(IncidentReportFormat format) => format == IncidentReportFormat.Html ? "html" : "md";

    /// <summary>Each measured figure against its objective: "Met", or "Missed by …"; null when it cannot be said.</summary>
    public static (string Measured, string Objective, string Verdict) Compare(TimeSpan? measured, TimeSpan? objective, bool known)
    {
        var shownMeasured = measured is { } m ? Elapsed(m) : "not measured";
        if (!known)
        {
            return (shownMeasured, "no scenario given", "-");
        }

        var shownObjective = objective is { } o ? Elapsed(o) : "case-dependent";
        var verdict = measured is null || objective is null ? "-" : measured <= objective ? "Met" : "Missed by " + Elapsed(measured.Value - objective.Value);
        return (shownMeasured, shownObjective, verdict);
    }

    private sealed record Section(string Title, IReadOnlyList<string>? Header, IReadOnlyList<IReadOnlyList<string>> Rows, string Empty, bool Checklist = false);

    private static List<Section> Build(IncidentRecord record, ObjectiveSettings objectives)
    {
        var objective = RecoveryObjective.For(record.Scenario, objectives);
        var rto = Compare(record.MeasuredRto, objective?.Rto, objective is not null);
        var rpo = Compare(record.MeasuredRpo, objective?.Rpo, objective is not null);
        var summary = new List<IReadOnlyList<string>>
        {
            new[] { "Id", record.Id },
            new[] { "Outcome", record.Outcome ?? "open" },
            new[] { "Severity", record.Severity ?? "" },
            new[] { "Scenario", record.Scenario ?? "" },
            new[] { "Procedure", record.Procedure },
            new[] { "Impact started", Time(record.ImpactStartedUtc ?? record.StartedUtc) },
            new[] { "Record opened", Time(record.StartedUtc) },
            new[] { "Closed", record.CompletedUtc is { } c ? Time(c) : "" },
            new[] { "Data recovered to", record.RecoveredToUtc is { } r ? Time(r) : "" },
            new[] { "Performed by", record.PerformedBy ?? "" },
            new[] { "Status page incident", record.StatusPageIncidentId ?? "" },
        };
        if (record.Error is not null)
        {
            summary.Add(new[] { "Error", $"{record.ErrorId}: {record.Error}" });
        }

        var timeline = record.Steps.Select(s => (s.StartedUtc, Text: $"{s.Name}: {s.Status}{(s.Detail is null ? "" : " - " + s.Detail)}"))
            .Concat(record.Notes.Select(n => (StartedUtc: n.TimeUtc, n.Text)))
            .Append((record.ImpactStartedUtc ?? record.StartedUtc, Text: "Impact started"))
            .Concat(record.CompletedUtc is { } closed ? [(closed, $"Closed: {record.Outcome}")] : Array.Empty<(DateTimeOffset, string)>())
            .OrderBy(e => e.Item1)
            .Select(e => (IReadOnlyList<string>)new[] { Time(e.Item1), e.Item2 })
            .ToList();

        return
        [
            new Section("Summary", null, summary, ""),
            new Section("Recovery objectives", ["", "Measured", "Objective", "Verdict"],
                [new[] { "RTO (recovery time)", rto.Measured, rto.Objective, rto.Verdict }, new[] { "RPO (data loss)", rpo.Measured, rpo.Objective, rpo.Verdict }], ""),
            new Section("Timeline", ["Time", "Event"], timeline, "Nothing recorded."),
            new Section("Actions", ["Step", "Status", "Duration", "Detail"],
                record.Steps.Select(s => (IReadOnlyList<string>)new[] { s.Name, s.Status.ToString(), s.Duration is { } d ? Elapsed(d) : "", s.ErrorId is null ? s.Detail ?? "" : $"{s.ErrorId}: {s.Detail}" }).ToList(),
                "No steps recorded."),
            new Section("Facts", ["Fact", "Value"],
                record.Facts.Keys.Cast<string>().Select(k => (IReadOnlyList<string>)new[] { k, (string?)record.Facts[k] ?? "" }).ToList(), "None."),
            new Section("Improvements", null, record.Improvements.Select(i => (IReadOnlyList<string>)new[] { i }).ToList(), "None recorded yet: identify them before the report is final."),
            new Section("Next steps", null,
                record.NextSteps.Append("Update the procedures of the plan if this incident showed a gap.").Select(n => (IReadOnlyList<string>)new[] { n }).ToList(), "", Checklist: true),
        ];
    }

    private static string Markdown(IncidentRecord record, List<Section> sections)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Incident report: {Cell(record.Reason ?? record.Procedure)}");
        foreach (var section in sections)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {section.Title}").AppendLine();
            if (section.Rows.Count == 0)
            {
                md.AppendLine(section.Empty);
                continue;
            }

            if (section.Header is null && section.Rows[0].Count == 1)
            {
                foreach (var row in section.Rows)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"- {(section.Checklist ? "[ ] " : "")}{row[0]}");
                }

                continue;
            }

            var header = section.Header ?? ["", ""];
            md.AppendLine("| " + string.Join(" | ", header.Select(Cell)) + " |");
            md.AppendLine("|" + string.Concat(header.Select(_ => "---|")));
            foreach (var row in section.Rows)
            {
                md.AppendLine("| " + string.Join(" | ", row.Select(Cell)) + " |");
            }
        }

        return md.ToString();
    }

    private static string Html(IncidentRecord record, List<Section> sections)
    {
        var title = WebUtility.HtmlEncode(record.Reason ?? record.Procedure);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">")
            .AppendLine(CultureInfo.InvariantCulture, $"<title>Incident report: {title}</title>")
            .AppendLine("<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}"
                + "td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left;vertical-align:top}.missed{color:#b00020;font-weight:bold}.met{color:#0a7d32}</style>")
            .AppendLine("</head><body>")
            .AppendLine(CultureInfo.InvariantCulture, $"<h1>Incident report: {title}</h1>");
        foreach (var section in sections)
        {
            html.AppendLine(CultureInfo.InvariantCulture, $"<h2>{WebUtility.HtmlEncode(section.Title)}</h2>");
            if (section.Rows.Count == 0)
            {
                html.AppendLine(CultureInfo.InvariantCulture, $"<p>{WebUtility.HtmlEncode(section.Empty)}</p>");
                continue;
            }

            if (section.Header is null && section.Rows[0].Count == 1)
            {
                html.AppendLine("<ul>");
                foreach (var row in section.Rows)
                {
                    html.AppendLine(CultureInfo.InvariantCulture, $"<li>{(section.Checklist ? "<input type=\"checkbox\" disabled> " : "")}{WebUtility.HtmlEncode(row[0])}</li>");
                }

                html.AppendLine("</ul>");
                continue;
            }

            html.AppendLine("<table>");
            if (section.Header is { } header)
            {
                html.AppendLine("<tr>" + string.Concat(header.Select(h => $"<th>{WebUtility.HtmlEncode(h)}</th>")) + "</tr>");
            }

            foreach (var row in section.Rows)
            {
                html.AppendLine("<tr>" + string.Concat(row.Select(c => $"<td{Class(c)}>{WebUtility.HtmlEncode(c)}</td>")) + "</tr>");
            }

            html.AppendLine("</table>");
        }

        return html.AppendLine("</body></html>").ToString();
    }

    private static string Class(string cell) =>
        cell.StartsWith("Missed by", StringComparison.Ordinal) ? " class=\"missed\"" : cell == "Met" ? " class=\"met\"" : "";

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>"2 h 05 min", "45 min", "12 s".</summary>
    private static string Elapsed(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
        {
            return "-" + Elapsed(-span);
        }

        return span.TotalMinutes < 1 ? $"{span.TotalSeconds:0} s"
            : span.TotalHours < 1 ? $"{span.TotalMinutes:0} min"
            : $"{(int)span.TotalHours} h {span.Minutes:00} min";
    }

    private static string Cell(string? text) =>
        (text ?? "").Replace("|", "\\|", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}

public enum IncidentReportFormat
{
    Markdown,
    Html,
}
