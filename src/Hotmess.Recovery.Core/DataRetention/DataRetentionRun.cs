namespace Hotmess.Recovery.DataRetention;

/// <summary>The outcome of a data retention run: one result per rule, the audit record, and the backup sets that still hold erased data.</summary>
public sealed record DataRetentionRun(
    IReadOnlyList<DataRetentionResult> Results,
    string? AuditRecordPath,
    IReadOnlyList<BackupSetWithErasedData> BackupSetsWithErasedData);
