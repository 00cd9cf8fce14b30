using System.Globalization;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Reports;

/// <summary>
/// Fills in the plan's "Backup Verification Checklist" from verifications: a line is ticked only when a
/// check proves it, left open with the reason when nothing does.
/// </summary>
public static class VerificationChecklist
{
    public static List<ChecklistItem> Build(IReadOnlyList<BackupVerification> verifications)
    {
        var items = new List<ChecklistItem>();
        var database = verifications.FirstOrDefault(v => v.Kind == BackupKind.Database);
        if (database is null)
        {
            items.Add(new ChecklistItem("Database backup downloaded successfully", null, "no database set was verified"));
            items.Add(new ChecklistItem("Backup size is reasonable (compared to previous)", null, "no database set was verified"));
            items.Add(new ChecklistItem("Test restore completed", null, "no database set was verified"));
            items.Add(new ChecklistItem("Critical tables verified:", null, "no database set was verified"));
        }
        else
        {
            AddDatabaseItems(items, database);
        }

        var storage = verifications.FirstOrDefault(v => v.Kind == BackupKind.Storage);
        items.Add(storage is null
            ? new ChecklistItem("File storage backup verified", null, "no storage set was verified")
            : new ChecklistItem("File storage backup verified", storage.Passed, Summary(storage, "Objects")));

        var agreement = database?.Checks.Where(c => c.Category == Verification.StorageDatabaseAgreement.Category).ToList() ?? [];
        items.Add(agreement.Count == 0
            ? new ChecklistItem("File storage and database agree", null,
                database is null ? "no database set was verified" : "no storage set in the repository, or no storage.objects rows in the dump")
            : new ChecklistItem("File storage and database agree", agreement.TrueForAll(c => c.Passed),
                $"{agreement[0].Detail}: " + string.Join("; ", agreement.Select(c => $"{c.Name}: {c.Actual}"))));

        var environment = verifications.FirstOrDefault(v => v.Kind == BackupKind.Environment);
        items.Add(environment is null
            ? new ChecklistItem("Environment variables documented", null, "no environment set was verified")
            : new ChecklistItem("Environment variables documented", environment.Passed, $"set {environment.SetId}: {Summary(environment, null)}"));

        items.Add(new ChecklistItem("Recovery procedures reviewed", null, "signed off by a person"));
        return items;
    }

    private static void AddDatabaseItems(List<ChecklistItem> items, BackupVerification v)
    {
        var files = v.Checks.Where(c => c.Category == PayloadVerifier.Category).ToList();
        var size = v.Manifest?.PayloadBytes ?? 0;
        items.Add(new ChecklistItem("Database backup downloaded successfully", files.Count > 0 && files.TrueForAll(c => c.Passed),
            files.TrueForAll(c => c.Passed)
                ? string.Create(CultureInfo.InvariantCulture, $"set {v.SetId}: {files.Count} files, {size:N0} bytes, every SHA-256 matches the manifest")
                : $"set {v.SetId}: " + string.Join("; ", files.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Actual}"))));

        var sizeCheck = v.Checks.FirstOrDefault(c => c.Category == "Size");
        items.Add(sizeCheck is null
            ? new ChecklistItem("Backup size is reasonable (compared to previous)", null, "not checked")
            : new ChecklistItem("Backup size is reasonable (compared to previous)", sizeCheck.Passed, $"{sizeCheck.Actual}; expected {sizeCheck.Expected}"));

        var restore = v.Checks.FirstOrDefault(c => c.Category == "Restore");
        items.Add(restore is null
            ? new ChecklistItem("Test restore completed", null, "not restored: run Test-HotmessBackup -RestoreTo <scratch database>")
            : new ChecklistItem("Test restore completed", restore.Passed, $"{restore.Actual} ({v.RestoreTarget})"));

        var tables = v.Checks.Where(c => c.Category == "Tables").ToList();
        var fingerprints = tables.Where(c => c.Name.StartsWith("Fingerprint ", StringComparison.Ordinal)).ToList();
        items.Add(restore is null
            ? new ChecklistItem("Critical tables verified:", null, "needs a test restore")
            : new ChecklistItem("Critical tables verified:", tables.Count > 0 && tables.TrueForAll(c => c.Passed),
                $"{tables.Count(c => c.Passed)} of {tables.Count} row counts and fingerprints match ({fingerprints.Count} critical tables fingerprinted)"));

        items.Add(TableItem(v, restore, "User table has expected row count", "Row count ", "User"));
        var recent = v.Checks.FirstOrDefault(c => c.Category == "Recency" && c.Name.StartsWith("Newest ", StringComparison.Ordinal) && c.Name.Contains(".marketplace_order.", StringComparison.Ordinal));
        var age = v.Checks.FirstOrDefault(c => c.Category == "Recency" && c.Name.StartsWith("Backup age", StringComparison.Ordinal));
        items.Add(recent is null || restore is null
            ? new ChecklistItem("Recent transactions present", null, "needs a test restore of a set with marketplace_order", 1)
            : new ChecklistItem("Recent transactions present", recent.Passed && (age?.Passed ?? true),
                $"newest order {recent.Actual} (expected {recent.Expected}); backup age {age?.Actual} ({age?.Expected})", 1));
        items.Add(TableItem(v, restore, "Messages intact", "Fingerprint ", "message"));
    }

    private static ChecklistItem TableItem(BackupVerification v, VerificationCheck? restore, string item, string prefix, string table)
    {
        var check = v.Checks.FirstOrDefault(c => c.Category == "Tables" && c.Name.StartsWith(prefix, StringComparison.Ordinal) && c.Name.EndsWith("." + table, StringComparison.Ordinal));
        if (restore is null || check is null)
        {
            return new ChecklistItem(item, null, restore is null ? "needs a test restore" : $"table {table} is not in the backup", 1);
        }

        return new ChecklistItem(item, check.Passed, $"{check.Name}: {check.Actual} (expected {check.Expected})", 1);
    }

    private static string Summary(BackupVerification v, string? category)
    {
        var checks = category is null ? v.Checks : v.Checks.Where(c => c.Category == category).ToList();
        var failed = checks.Where(c => !c.Passed).ToList();
        return failed.Count == 0
            ? $"set {v.SetId}: all {checks.Count} checks passed"
            : $"set {v.SetId}: {failed.Count} of {checks.Count} checks failed: " + string.Join("; ", failed.Take(5).Select(c => $"{c.Name}: {c.Actual}"));
    }
}
