using System.Text.RegularExpressions;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Reports;

namespace Hotmess.Recovery.Tests.Drills;

public sealed partial class DrillHistoryReportTests
{
    private static DrillRecord Drill(string id, DateTimeOffset at, TimeSpan? rto, TimeSpan rpo, bool passed) => new()
    {
        Id = id,
        Scenario = DrillScenario.DatabaseRestore,
        SimulatedIncidentUtc = at,
        StartedUtc = at,
        Rto = rto,
        Rpo = rpo,
        RtoObjective = TimeSpan.FromHours(4),
        RpoObjective = TimeSpan.FromHours(24),
        Passed = passed,
        Findings = { passed ? "RTO within" : "RTO 5 h 00 min exceeds the 4 h 00 min objective by 1 h 00 min." },
    };

    [Fact]
    public void The_page_embeds_an_RTO_and_an_RPO_chart_drawn_as_PNG_and_lists_every_drill_newest_first()
    {
        var start = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero);
        var drills = new[]
        {
            Drill("20260301T100000Z-drill-aaaa", start, TimeSpan.FromMinutes(40), TimeSpan.FromHours(3), true),
            Drill("20260601T100000Z-drill-bbbb", start.AddMonths(3), TimeSpan.FromHours(5), TimeSpan.FromHours(20), false),
            Drill("20260901T100000Z-drill-cccc", start.AddMonths(6), null, TimeSpan.FromHours(1), false),
        };

        var html = DrillHistoryReport.RenderHtml(drills, start.AddMonths(7), "tester");

        var images = ImagePattern().Matches(html);
        Assert.Equal(["rto-chart", "rpo-chart"], images.Select(m => m.Groups["id"].Value));
        foreach (Match image in images)
        {
            var png = Convert.FromBase64String(image.Groups["data"].Value);
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.Equal(DrillHistoryReport.ChartWidth, bitmap.Width);
            Assert.Equal(DrillHistoryReport.ChartHeight, bitmap.Height);
        }

        Assert.True(html.IndexOf("drill-cccc", StringComparison.Ordinal) < html.IndexOf("drill-aaaa", StringComparison.Ordinal));
        Assert.Contains("3 drill(s), 1 passed", html, StringComparison.Ordinal);
        Assert.Contains("exceeds the 4 h 00 min objective by 1 h 00 min.", html, StringComparison.Ordinal);
        Assert.Contains("<td>not measured</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_history_is_a_page_without_a_chart()
    {
        var html = DrillHistoryReport.RenderHtml([], DateTimeOffset.UnixEpoch, "tester");

        Assert.Contains("0 drill(s), 0 passed", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", html, StringComparison.Ordinal);
    }

    [GeneratedRegex("<img id=\"(?<id>[a-z-]+)\"[^>]*src=\"data:image/png;base64,(?<data>[A-Za-z0-9+/=]+)\"")]
    private static partial Regex ImagePattern();
}
