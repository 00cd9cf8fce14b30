using System.Text.Json;
using Hotmess.Recovery.Reports;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Tests.Reports;

public sealed class VerificationReportTests
{
    private static BackupVerification Restored(bool messagesIntact)
    {
        var v = new BackupVerification { SetId = "20261124T190312Z-database-7f3a", Kind = BackupKind.Database, Restored = true, RestoreTarget = "Host=h;Port=1;Database=scratch;Username=u" };
        v.Add("File dump/toc.dat", true, "1 bytes", "1 bytes", "Files");
        v.Add("Backup size is reasonable (compared to previous)", true, "x", "y", "Size");
        v.Add("Backup age within the RPO (24 h)", true, "<= 24 h", "1 h", "Recency");
        v.Add("Test restore completed", true, "pg_restore exits 0", "12 tables", "Restore");
        v.Add("Row count public.User", true, "200", "200", "Tables");
        v.Add("Fingerprint public.message", messagesIntact, "v1:a", messagesIntact ? "v1:a" : "v1:b", "Tables");
        v.Add("Newest public.marketplace_order.created_at", true, "2026-11-24T18:00:00Z", "2026-11-24T18:00:00Z", "Recency");
        return v;
    }

    [Fact]
    public void Every_checklist_line_is_ticked_only_by_its_evidence()
    {
        var items = VerificationChecklist.Build([Restored(messagesIntact: true)]);

        Assert.True(items.Single(i => i.Item == "Database backup downloaded successfully").Passed);
        Assert.True(items.Single(i => i.Item == "Test restore completed").Passed);
        Assert.True(items.Single(i => i.Item == "User table has expected row count").Passed);
        Assert.True(items.Single(i => i.Item == "Recent transactions present").Passed);
        Assert.True(items.Single(i => i.Item == "Messages intact").Passed);
        Assert.Null(items.Single(i => i.Item == "File storage backup verified").Passed);
        Assert.Null(items.Single(i => i.Item == "Recovery procedures reviewed").Passed);
    }

    [Fact]
    public void A_damaged_table_unticks_its_line_and_fails_the_report()
    {
        var markdown = VerificationReport.RenderMarkdown([Restored(messagesIntact: false)], DateTimeOffset.UnixEpoch, "ops");

        Assert.Contains("Result: **FAILED**", markdown);
        Assert.Contains("- [ ] ✗ Messages intact", markdown);
        Assert.Contains("    - [x] User table has expected row count", markdown);
        Assert.Contains("| Fingerprint public.message | **FAIL** | v1:a | v1:b |", markdown);
    }

    [Fact]
    public void Files_only_verification_leaves_the_restore_lines_open()
    {
        var v = new BackupVerification { SetId = "s", Kind = BackupKind.Database };
        v.Add("File dump/toc.dat", true, "1", "1", "Files");

        var items = VerificationChecklist.Build([v]);

        Assert.Null(items.Single(i => i.Item == "Test restore completed").Passed);
        Assert.Contains("-RestoreTo", items.Single(i => i.Item == "Test restore completed").Evidence);
    }

    [Fact]
    public void Json_report_carries_the_checklist_and_the_checks()
    {
        using var document = JsonDocument.Parse(VerificationReport.RenderJson([Restored(messagesIntact: true)], DateTimeOffset.UnixEpoch, "ops"));
        Assert.True(document.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal(7, document.RootElement.GetProperty("verifications")[0].GetProperty("checks").GetArrayLength());
        Assert.Contains(document.RootElement.GetProperty("checklist").EnumerateArray(), i => i.GetProperty("item").GetString() == "Messages intact");
    }
}
