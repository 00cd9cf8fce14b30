using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Database;

public sealed record DatabaseVerificationRequest
{
    public required BackupSet Set { get; init; }

    /// <summary>A scratch database to restore into; only files are checked when null.</summary>
    public string? RestoreTo { get; init; }

    public int Jobs { get; init; } = 2;

    /// <summary>The recovery point objective: a backup older than this fails the recency check.</summary>
    public TimeSpan RecoveryPointObjective { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The previous set of the same kind, for the "size is reasonable" check.</summary>
    public BackupSet? PreviousSet { get; init; }

    /// <summary>A size outside [previous / ratio, previous × ratio] fails the size check.</summary>
    public double SizeRatioLimit { get; init; } = 2.0;

    public string? PgBinDirectory { get; init; }

    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// The plan's Backup Verification Checklist, done by a machine: files present with their hashes, size
/// compared with the previous set, age against the RPO, and, with a scratch database, a real restore whose
/// row counts, fingerprints and newest timestamps must equal what the backup recorded in its snapshot.
/// </summary>
public static class DatabaseVerifier
{
    public static async Task<BackupVerification> VerifyAsync(DatabaseVerificationRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var set = request.Set;
        var contents = set.Manifest.Database ?? throw new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument,
            $"The backup set '{set.Id}' is not a database set.", set.Id);
        var verification = new BackupVerification
        {
            SetId = set.Id,
            Kind = set.Kind,
            Repository = set.Repository,
            StartedUtc = DateTimeOffset.UtcNow,
            Manifest = set.Manifest,
        };

        await PayloadVerifier.CheckFilesAsync(set, verification, Math.Max(2, request.Jobs), log, cancellationToken).ConfigureAwait(false);
        AddSizeCheck(verification, set, request.PreviousSet, request.SizeRatioLimit);
        var age = request.Now - set.CompletedUtc;
        verification.Add($"Backup age within the RPO ({Hours(request.RecoveryPointObjective)})", age <= request.RecoveryPointObjective,
            $"<= {Hours(request.RecoveryPointObjective)}", Hours(age), "Recency");

        var filesIntact = verification.Checks.TrueForAll(c => c.Passed || c.Category != PayloadVerifier.Category);
        if (request.RestoreTo is { } scratch)
        {
            if (!filesIntact)
            {
                verification.Add("Test restore completed", false, "restore into a scratch database", "not attempted: payload files do not match the manifest", "Restore");
            }
            else
            {
                await RestoreAndCompareAsync(request, contents, scratch, verification, log, cancellationToken).ConfigureAwait(false);
            }
        }

        verification.CompletedUtc = DateTimeOffset.UtcNow;
        return verification;
    }

    private static async Task RestoreAndCompareAsync(DatabaseVerificationRequest request, DatabaseContents contents, string scratch,
        BackupVerification verification, IOperationLog log, CancellationToken cancellationToken)
    {
        var target = ConnectionStrings.Parse(scratch, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        verification.Restored = true;
        verification.RestoreTarget = ConnectionStrings.Redact(target);
        // Refuses a scratch database that holds anything before touching it: only an empty one is ever dropped.
        await DatabaseRestoreEngine.PrepareTargetAsync(target, force: false, request.Set.Id, log, cancellationToken).ConfigureAwait(false);
        DatabaseRestoreResult? restored = null;
        try
        {
            restored = await DatabaseRestoreEngine.RestoreAsync(new DatabaseRestoreRequest
            {
                Set = request.Set,
                TargetConnectionString = scratch,
                Jobs = request.Jobs,
                Fingerprint = true,
                PgBinDirectory = request.PgBinDirectory,
            }, log, cancellationToken).ConfigureAwait(false);
            verification.RestoreDuration = restored.Duration;
            verification.Add("Test restore completed", true, "pg_restore exits 0", $"{restored.TableCount} tables, {restored.RowCount} rows in {restored.Duration.TotalSeconds:F1} s", "Restore");
        }
        catch (HotmessException ex) when (ex.ErrorId is "PgRestoreFailed")
        {
            verification.Add("Test restore completed", false, "pg_restore exits 0", ex.Message, "Restore");
        }
        finally
        {
            // The scratch database is only evidence; it never outlives the check.
            await DropScratchAsync(target, log).ConfigureAwait(false);
        }

        if (restored is null)
        {
            return;
        }

        var actual = restored.Tables.ToDictionary(t => t.QualifiedName, StringComparer.Ordinal);
        var critical = contents.Tables.Where(t => t.Fingerprint is not null).Select(t => t.QualifiedName).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in contents.CriticalTables.Where(name => !contents.Tables.Any(t => t.Fingerprint is not null && (t.Name == name || t.QualifiedName == name))))
        {
            verification.Add($"Critical table {missing} backed up", false, "present in the backup", "absent from the source database", "Tables");
        }

        foreach (var expected in contents.Tables.OrderByDescending(t => critical.Contains(t.QualifiedName)).ThenBy(t => t.QualifiedName, StringComparer.Ordinal))
        {
            actual.TryGetValue(expected.QualifiedName, out var found);
            verification.Add($"Row count {expected.QualifiedName}", found?.RowCount == expected.RowCount,
                expected.RowCount.ToString(CultureInfo.InvariantCulture), found?.RowCount.ToString(CultureInfo.InvariantCulture) ?? "table missing", "Tables");
            if (expected.Fingerprint is not null)
            {
                verification.Add($"Fingerprint {expected.QualifiedName}", found?.Fingerprint == expected.Fingerprint,
                    expected.Fingerprint, found?.Fingerprint ?? "table missing", "Tables");
            }

            if (expected.NewestTimestamp is { } newest && critical.Contains(expected.QualifiedName))
            {
                verification.Add($"Newest {expected.QualifiedName}.{expected.TimestampColumn}", found?.NewestTimestamp == newest,
                    newest.ToString("O", CultureInfo.InvariantCulture), found?.NewestTimestamp?.ToString("O", CultureInfo.InvariantCulture) ?? "none", "Recency");
            }
        }

        foreach (var extra in restored.Tables.Where(t => !contents.Tables.Any(e => e.QualifiedName == t.QualifiedName)))
        {
            verification.Add($"Row count {extra.QualifiedName}", false, "table absent from the manifest", extra.RowCount.ToString(CultureInfo.InvariantCulture), "Tables");
        }
    }

    private static void AddSizeCheck(BackupVerification verification, BackupSet set, BackupSet? previous, double ratioLimit)
    {
        const string name = "Backup size is reasonable (compared to previous)";
        if (previous is null || previous.SizeBytes == 0)
        {
            verification.Add(name, set.SizeBytes > 0, "more than 0 bytes (no previous set)", $"{set.SizeBytes} bytes", "Size");
            return;
        }

        var ratio = (double)set.SizeBytes / previous.SizeBytes;
        verification.Add(name, ratio <= ratioLimit && ratio >= 1 / ratioLimit,
            string.Create(CultureInfo.InvariantCulture, $"within ×{ratioLimit:0.##} of {previous.SizeBytes} bytes ({previous.Id})"),
            string.Create(CultureInfo.InvariantCulture, $"{set.SizeBytes} bytes (×{ratio:0.###})"), "Size");
    }

    private static async Task DropScratchAsync(Npgsql.NpgsqlConnectionStringBuilder target, IOperationLog log)
    {
        try
        {
            var maintenance = ConnectionStrings.Maintenance(target);
            await using var admin = await DatabaseSession.OpenAsync(maintenance, CancellationToken.None).ConfigureAwait(false);
            await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {TableMeasurement.Quote(target.Database!)} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            log.Verbose($"Dropped the scratch database '{target.Database}'.");
        }
        catch (Exception ex) when (ex is HotmessException or Npgsql.NpgsqlException)
        {
            log.Warning($"The scratch database '{target.Database}' could not be dropped: {ex.Message}");
        }
    }

    private static string Hours(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} h");
}
