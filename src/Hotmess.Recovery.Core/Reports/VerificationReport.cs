using System.Globalization;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Reports;

public enum ReportFormat
{
    Markdown,
    Json,

    /// <summary>Recovery drills only: a page with their RTO and RPO charted against the objectives.</summary>
    Html,
}

/// <summary>Writes verifications as the plan's Backup Verification Checklist (Markdown) or as JSON, with the evidence behind each line.</summary>
public static class VerificationReport
{
    public static string Render(IReadOnlyList<BackupVerification> verifications, ReportFormat format, DateTimeOffset generatedUtc, string performedBy) =>
        format == ReportFormat.Json ? RenderJson(verifications, generatedUtc, performedBy) : RenderMarkdown(verifications, generatedUtc, performedBy);

    public static string RenderMarkdown(IReadOnlyList<BackupVerification> verifications, DateTimeOffset generatedUtc, string performedBy)
    {
        var passed = verifications.Count > 0 && verifications.All(v => v.Passed);
        var md = new StringBuilder();
        md.AppendLine("# Backup Verification Checklist").AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Date: {generatedUtc.UtcDateTime:yyyy-MM-dd HH:mm} UTC  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Performed by: {performedBy}  ");
        md.AppendLine(CultureInfo.InvariantCulture, $"Result: **{(passed ? "PASSED" : "FAILED")}**").AppendLine();
        foreach (var item in VerificationChecklist.Build(verifications))
        {
            var box = item.Passed switch { true => "[x]", false => "[ ] ✗", null => "[ ]" };
            md.AppendLine(CultureInfo.InvariantCulture, $"{new string(' ', item.Level * 4)}- {box} {item.Item} — {Escape(item.Evidence)}");
        }

        foreach (var v in verifications)
        {
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {v.Kind} set {v.SetId}").AppendLine();
            if (v.Manifest is { } m)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"- Taken: {m.StartedUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {m.CompletedUtc.UtcDateTime:HH:mm:ss} UTC from {Escape(DescribeSource(m.Source))}");
                var tools = string.Join(", ", m.Tools.Select(t => $"{t.Key} {t.Value}"));
                md.AppendLine(m.Storage is { } st
                    ? string.Create(CultureInfo.InvariantCulture, $"- Objects: {st.ObjectCount:N0} in {st.Buckets.Count} buckets, {st.TotalBytes:N0} bytes; tools: {tools}")
                    : string.Create(CultureInfo.InvariantCulture, $"- Payload: {m.Files.Count} files, {m.PayloadBytes:N0} bytes; tools: {tools}"));
                if (m.Database is { } db)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"- Snapshot {db.SnapshotId} at WAL {db.WalLsn}; {db.Tables.Count} tables, {db.Tables.Sum(t => t.RowCount):N0} rows");
                }
            }

            md.AppendLine(CultureInfo.InvariantCulture, $"- Verified: {v.CompletedUtc.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {(v.Restored ? $"restored into {Escape(v.RestoreTarget ?? "")}" : v.Kind == BackupKind.Storage ? "against the content store" : "files only, no restore")}; result **{(v.Passed ? "passed" : "failed")}**");
            md.AppendLine().AppendLine("| Check | Result | Expected | Actual |").AppendLine("|---|---|---|---|");
            // Failures first: they are what a reader is looking for.
            foreach (var c in v.Checks.OrderBy(c => c.Passed))
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Escape(c.Name)} | {(c.Passed ? "pass" : "**FAIL**")} | {Escape(c.Expected ?? "")} | {Escape(c.Actual ?? "")} |");
            }
        }

        md.AppendLine().AppendLine("Notes:").AppendLine("___________");
        return md.ToString();
    }

    public static string RenderJson(IReadOnlyList<BackupVerification> verifications, DateTimeOffset generatedUtc, string performedBy) =>
        Json.Serialize(new
        {
            report = "Backup Verification Checklist",
            generatedUtc,
            performedBy,
            passed = verifications.Count > 0 && verifications.All(v => v.Passed),
            checklist = VerificationChecklist.Build(verifications),
            verifications = verifications.Select(v => new
            {
                v.SetId,
                v.Kind,
                v.Passed,
                v.StartedUtc,
                v.CompletedUtc,
                v.Restored,
                v.RestoreTarget,
                v.RestoreDuration,
                v.PerformedBy,
                source = v.Manifest?.Source,
                payloadBytes = v.Manifest?.PayloadBytes,
                v.Checks,
            }),
        });

    private static string DescribeSource(BackupSource s) =>
        s.Database is null ? s.Project ?? "unknown" : $"{s.Host}:{s.Port}/{s.Database} (PostgreSQL {s.ServerVersion})";

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
