using System.Globalization;
using System.Net;
using System.Text;
using Hotmess.Recovery.Drills;

namespace Hotmess.Recovery.Reports;

/// <summary>
/// Drills as one HTML page: charts of measured RTO and RPO per drill against the objectives (ScottPlot, drawn by
/// SkiaSharp, embedded as PNGs), then a table of every drill with its verdicts and improvements.
/// </summary>
public static class DrillHistoryReport
{
    public const int ChartWidth = 900;
    public const int ChartHeight = 360;

    public static string RenderHtml(IReadOnlyList<DrillRecord> drills, DateTimeOffset generatedUtc, string performedBy)
    {
        var ordered = drills.OrderBy(d => d.StartedUtc).ToList();
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\"><title>HOTMESS recovery drills</title>");
        html.AppendLine("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}.failed{color:#b00020;font-weight:bold}.passed{color:#1b5e20}</style>");
        html.AppendLine("</head><body>");
        html.AppendLine("<h1>Recovery drills</h1>");
        html.AppendLine(CultureInfo.InvariantCulture, $"<p>Generated {generatedUtc.UtcDateTime:yyyy-MM-dd HH:mm} UTC by {Encode(performedBy)}: {ordered.Count} drill(s), {ordered.Count(d => d.Passed)} passed.</p>");
        if (ordered.Count > 0)
        {
            var (rto, rpo) = RenderCharts(ordered);
            html.AppendLine(CultureInfo.InvariantCulture,
                $"<p><img id=\"rto-chart\" alt=\"Measured RTO per drill against the objective\" width=\"{ChartWidth}\" height=\"{ChartHeight}\" src=\"data:image/png;base64,{Convert.ToBase64String(rto)}\"></p>");
            html.AppendLine(CultureInfo.InvariantCulture,
                $"<p><img id=\"rpo-chart\" alt=\"Measured RPO per drill against the objective\" width=\"{ChartWidth}\" height=\"{ChartHeight}\" src=\"data:image/png;base64,{Convert.ToBase64String(rpo)}\"></p>");
        }

        html.AppendLine("<table><thead><tr><th>drill</th><th>scenario</th><th>simulated incident (UTC)</th><th>RTO</th><th>RTO objective</th><th>RPO</th><th>RPO objective</th><th>result</th><th>findings and improvements</th></tr></thead><tbody>");
        foreach (var drill in ordered.AsEnumerable().Reverse())
        {
            var notes = string.Join("<br>", drill.Findings.Concat(drill.Improvements).Select(Encode));
            html.AppendLine(CultureInfo.InvariantCulture,
                $"<tr><td>{Encode(drill.Id)}</td><td>{drill.Scenario}</td><td>{drill.SimulatedIncidentUtc.UtcDateTime:yyyy-MM-dd HH:mm}</td><td>{Measured(drill.Rto)}</td><td>{DrillText.Duration(drill.RtoObjective)}</td><td>{Measured(drill.Rpo)}</td><td>{(drill.RpoObjective is { } o ? DrillText.Duration(o) : "case-dependent")}</td><td class=\"{(drill.Passed ? "passed" : "failed")}\">{(drill.Passed ? "passed" : "failed")}</td><td>{notes}</td></tr>");
        }

        html.AppendLine("</tbody></table></body></html>");
        return html.ToString();
    }

    /// <summary>Two charts in hours per drill (oldest left), each drill's objective marked beside its bar: RTO, then RPO.</summary>
    public static (byte[] Rto, byte[] Rpo) RenderCharts(IReadOnlyList<DrillRecord> ordered)
    {
        var positions = Enumerable.Range(0, ordered.Count).Select(i => (double)i).ToArray();
        var labels = ordered.Select(d => $"{d.SimulatedIncidentUtc.UtcDateTime:yyyy-MM-dd}\n{d.Scenario}").ToArray();
        var rto = Panel("RTO per drill (hours)", positions, labels,
            ordered.Select(d => Hours(d.Rto)).ToArray(), ordered.Select(d => Hours(d.RtoObjective)).ToArray(), "measured RTO");
        var rpo = Panel("RPO per drill (hours)", positions, labels,
            ordered.Select(d => Hours(d.Rpo)).ToArray(), ordered.Select(d => Hours(d.RpoObjective)).ToArray(), "measured RPO");
        return (rto.GetImageBytes(ChartWidth, ChartHeight, ScottPlot.ImageFormat.Png), rpo.GetImageBytes(ChartWidth, ChartHeight, ScottPlot.ImageFormat.Png));
    }

    private static ScottPlot.Plot Panel(string title, double[] positions, string[] labels, double[] measured, double[] objective, string measuredLabel)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        var bars = plot.Add.Bars(positions, measured.Select(v => double.IsNaN(v) ? 0 : v).ToArray());
        bars.LegendText = measuredLabel;
        // Each drill is judged against its own scenario's objective: a mark per drill, no line joining scenarios.
        var target = plot.Add.ScatterPoints(positions, objective);
        target.LegendText = "objective";
        target.MarkerShape = ScottPlot.MarkerShape.HorizontalBar;
        target.MarkerSize = 60;
        target.MarkerLineWidth = 3;
        target.Color = ScottPlot.Colors.Red;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        plot.Axes.Margins(bottom: 0);
        // Beside the data, so no bar or mark hides behind it.
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot;
    }

    // A drill that never verified the service has no RTO: drawn as an empty bar, and the table says "not measured".
    private static double Hours(TimeSpan? span) => span is { } s ? s.TotalHours : double.NaN;

    private static string Measured(TimeSpan? span) => span is { } s ? DrillText.Duration(s) : "not measured";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
