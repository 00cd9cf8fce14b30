using System.Globalization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Database;

public sealed record DatabaseVerificationRequest
{
    public required BackupSet Set { get; init; }

    /// <summary>
    /// A scratch database to restore into, which must not exist: the verification creates it and drops it afterwards.
    /// Only files are checked when null.
    /// </summary>
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
/// row counts, fingerprints and newest timestamps must equal what the backup recorded in its snapshot. The scratch
/// database is one this verification creates: it never restores into, or drops, a database that was there before.
/// </summary>
public static class DatabaseVerifier
{
    // The server's own databases: never a scratch database, whatever they hold.
    private static readonly string[] ReservedDatabases = ["postgres", "template0", "template1"];

    public static async Task<BackupVerification> VerifyAsync(DatabaseVerificationRequest request, IOperationLog log, CancellationToken cancellationToken)
    {
        var set = request.Set;
        var contents = set.Manifest.Database ?? throw new HotmessException("BackupKindMismatch", FailureKind.InvalidArgument,
            $"The backup set '{set.Id}' is not a database set.", set.Id);
        var scratch = request.RestoreTo is { } restoreTo ? ParseScratch(restoreTo) : null;
        if (scratch is not null)
        {
            // Refused before the files are hashed, so a wrong name fails at once; the CREATE later settles a race.
            await EnsureScratchAbsentAsync(scratch, set.Id, cancellationToken).ConfigureAwait(false);
        }

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
        if (scratch is not null)
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

    /// <summary>
    /// The scratch database named by a connection string: refused when the string names none (it would fall back to
    /// <c>postgres</c>) or names one of the server's own databases.
    /// </summary>
    public static NpgsqlConnectionStringBuilder ParseScratch(string connectionString)
    {
        var target = ConnectionStrings.Parse(connectionString, System.Environment.GetEnvironmentVariable("PGPASSWORD"));
        if (!ConnectionStrings.NamesDatabase(connectionString))
        {
            throw new HotmessException("ScratchDatabaseMissing", FailureKind.InvalidArgument,
                $"The scratch connection string names no database ({ConnectionStrings.Redact(target)} is only the fallback); name a database that does not exist yet, e.g. Database=verify_scratch. The verification creates it and drops it afterwards.",
                ConnectionStrings.Redact(target));
        }

        if (ReservedDatabases.Contains(target.Database, StringComparer.Ordinal))
        {
            throw new HotmessException("ScratchDatabaseReserved", FailureKind.InvalidArgument,
                $"'{target.Database}' is one of the server's own databases and cannot be a scratch database: a verification restores into its scratch database and drops it. Name a database that does not exist yet, e.g. Database=verify_scratch.",
                target.Database);
        }

        target.Pooling = false;
        return target;
    }

    /// <summary>Refuses a scratch database that exists, saying what it holds: only a database this run creates is restored into and dropped.</summary>
    private static async Task EnsureScratchAbsentAsync(NpgsqlConnectionStringBuilder scratch, string setId, CancellationToken cancellationToken)
    {
        var inventory = await DatabaseRestoreEngine.InspectAsync(scratch, ConnectionStrings.Maintenance(scratch), cancellationToken).ConfigureAwait(false);
        if (inventory is null)
        {
            return;
        }

        if (!inventory.IsEmpty)
        {
            throw new HotmessException("TargetNotEmpty", FailureKind.AlreadyExists,
                $"The scratch database '{scratch.Database}' already holds {inventory}; verifying '{setId}' would restore over them and then drop the database. Name a database that does not exist yet.",
                scratch.Database);
        }

        throw new HotmessException("ScratchDatabaseExists", FailureKind.AlreadyExists,
            $"The scratch database '{scratch.Database}' exists (empty), and a verification drops only a database it created itself. Name a database that does not exist yet, or drop this one.",
            scratch.Database);
    }

    private static async Task RestoreAndCompareAsync(DatabaseVerificationRequest request, DatabaseContents contents, NpgsqlConnectionStringBuilder scratch,
        BackupVerification verification, IOperationLog log, CancellationToken cancellationToken)
    {
        var maintenance = ConnectionStrings.Maintenance(scratch);
        verification.Restored = true;
        verification.RestoreTarget = ConnectionStrings.Redact(scratch);
        DatabaseRestoreResult? restored = null;
        try
        {
            // The restore creates the scratch database, and drops it (with any role it created) when it fails.
            // The files were checked against the manifest a moment ago; they are not hashed twice.
            restored = await DatabaseRestoreEngine.RestoreCheckedAsync(new DatabaseRestoreRequest
            {
                Set = request.Set,
                TargetConnectionString = scratch.ConnectionString,
                Jobs = request.Jobs,
                Fingerprint = true,
                PgBinDirectory = request.PgBinDirectory,
                MustCreate = true,
            }, log, cancellationToken).ConfigureAwait(false);
            verification.RestoreDuration = restored.Duration;
            verification.Add("Test restore completed", true, "pg_restore exits 0", $"{restored.TableCount} tables, {restored.RowCount} rows in {restored.Duration.TotalSeconds:F1} s", "Restore");
        }
        catch (HotmessException ex) when (ex.ErrorId is "PgRestoreFailed")
        {
            verification.Add("Test restore completed", false, "pg_restore exits 0", ex.Message, "Restore");
        }
        catch (HotmessException ex) when (ex.ErrorId is "DatabaseExists")
        {
            // Created by someone else since the first look: theirs, so refused and left alone.
            await EnsureScratchAbsentAsync(scratch, request.Set.Id, cancellationToken).ConfigureAwait(false);
            throw;
        }
        finally
        {
            if (restored is not null)
            {
                // This run created the scratch database and these roles; they are only evidence and never outlive the check.
                await DatabaseRestoreEngine.DropAsync(maintenance, scratch.Database!, log).ConfigureAwait(false);
                await DatabaseRestoreEngine.DropRolesAsync(maintenance, restored.CreatedRoles, log).ConfigureAwait(false);
            }
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

    private static string Hours(TimeSpan span) => string.Create(CultureInfo.InvariantCulture, $"{span.TotalHours:0.##} h");
}
