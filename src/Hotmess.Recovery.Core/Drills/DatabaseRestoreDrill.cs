using Hotmess.Recovery.Common;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Repository;
using Npgsql;

namespace Hotmess.Recovery.Drills;

/// <summary>
/// Procedure 1 rehearsed: the database is lost and the newest verified database set is what survived. It is restored
/// with the engine Restore-HotmessDatabase uses (every file checked against the manifest first) into a scratch
/// database the drill creates, the restored tables are compared with the set's evidence, and the scratch database
/// is dropped. The RPO is the incident minus the newest timestamp found in the restored tables.
/// </summary>
public sealed class DatabaseRestoreDrill : IDrillScenario
{
    private readonly BackupRepository _repository;
    private readonly NpgsqlConnectionStringBuilder _scratch;
    private readonly string? _production;
    private readonly int _jobs;
    private readonly string? _pgBinDirectory;
    private DatabaseRestoreResult? _restored;

    /// <param name="scratchConnectionString">A database that does not exist yet: the drill creates and drops it.</param>
    /// <param name="productionConnectionString">The production database (the configuration's), refused as a target.</param>
    public DatabaseRestoreDrill(BackupRepository repository, string scratchConnectionString, string? productionConnectionString, int jobs = 2, string? pgBinDirectory = null)
    {
        _repository = repository;
        _scratch = DatabaseVerifier.ParseScratch(scratchConnectionString);
        _production = productionConnectionString;
        _jobs = jobs;
        _pgBinDirectory = pgBinDirectory;
    }

    public DrillScenario Scenario => DrillScenario.DatabaseRestore;

    public string Target => ConnectionStrings.Redact(_scratch);

    public IReadOnlyList<string> Plan =>
    [
        $"Simulate the loss of the database: take the newest verified database set of '{_repository.Root}' as what survived",
        $"Restore it (every file checked against its manifest first) into the scratch database {Target}, which the drill creates",
        "Verify the restored tables against the set's row counts and fingerprints: the service is back",
        "Clean up: drop the scratch database and any role the restore created",
    ];

    public void Validate()
    {
        if (_production is not null && SameDatabase(_scratch, ConnectionStrings.Parse(_production)))
        {
            throw Production($"{Target} is the production database of the configuration");
        }

        // Every database the repository backs up is one the drill must not restore into.
        foreach (var source in _repository.GetSets(BackupKind.Database).Select(s => s.Manifest.Source).Where(s => s.Database is not null))
        {
            if (SameDatabase(_scratch, new NpgsqlConnectionStringBuilder { Host = source.Host, Port = source.Port ?? 5432, Database = source.Database }))
            {
                throw Production($"{Target} is a database this repository backs up");
            }
        }
    }

    public async Task RecoverAsync(DrillRun run, CancellationToken cancellationToken)
    {
        var set = await run.StepAsync("Simulate the failure: the newest verified database set survived", _ =>
        {
            var survivor = _repository.GetSets(BackupKind.Database)
                .FirstOrDefault(s => _repository.GetVerifications(s.Id).Any(v => v.Passed))
                ?? throw new HotmessException("DrillNoVerifiedSet", FailureKind.NotFound,
                    $"The repository '{_repository.Root}' holds no database set that passed a verification, so nothing is known to survive a loss of the database: verify one with Test-HotmessBackup -RestoreTo first.",
                    _repository.Root);
            run.SurvivingSetId = survivor.Id;
            return Task.FromResult((survivor, $"{survivor.Id}, taken {survivor.StartedUtc:u} from {survivor.Source}"));
        }, cancellationToken).ConfigureAwait(false);

        _restored = await run.StepAsync("Restore the set into the scratch database", async token =>
        {
            var restored = await DatabaseRestoreEngine.RestoreAsync(new DatabaseRestoreRequest
            {
                Set = set,
                TargetConnectionString = _scratch.ConnectionString,
                Jobs = _jobs,
                Fingerprint = true,
                PgBinDirectory = _pgBinDirectory,
                MustCreate = true,
            }, run.Log, token).ConfigureAwait(false);
            return (restored, $"{restored.TableCount} tables, {restored.RowCount:N0} rows into {restored.Database}");
        }, cancellationToken).ConfigureAwait(false);

        await run.StepAsync("Verify the restored data against the set's evidence", _ =>
        {
            var expected = set.Manifest.Database!.Tables.ToDictionary(t => t.QualifiedName, StringComparer.Ordinal);
            var differing = _restored.Comparison.Where(c => !c.Matches).Select(c => $"{c.Table} ({c.Expected?.ToString() ?? "none"} expected, {c.Actual?.ToString() ?? "none"} restored)")
                .Concat(_restored.Tables.Where(t => t.Fingerprint is not null && expected.TryGetValue(t.QualifiedName, out var e) && e.Fingerprint != t.Fingerprint)
                    .Select(t => $"{t.QualifiedName} (fingerprint differs)"))
                .ToList();
            if (differing.Count > 0)
            {
                throw new HotmessException("DrillVerificationFailed", FailureKind.InvalidData,
                    $"The restored data does not match the set's evidence: {string.Join(", ", differing.Take(10))}.", set.Id);
            }

            run.ServiceVerified();
            var newest = _restored.Tables.Select(t => t.NewestTimestamp).Where(t => t is not null).Max();
            // Without a timestamp column the snapshot itself is the newest data known to be in the set.
            run.NewestDataRecoveredUtc = newest ?? set.StartedUtc;
            var fingerprinted = _restored.Tables.Count(t => t.Fingerprint is not null);
            return Task.FromResult(newest is null
                ? $"Row counts of {_restored.TableCount} tables and {fingerprinted} fingerprints match; no timestamp column, so the snapshot time {set.StartedUtc:u} is the newest data."
                : $"Row counts of {_restored.TableCount} tables and {fingerprinted} fingerprints match; newest data {newest:u}.");
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task CleanupAsync(DrillRun run, CancellationToken cancellationToken)
    {
        if (_restored is not { } restored)
        {
            // A restore that failed dropped what it created itself.
            return;
        }

        await run.CleanupStepAsync("Drop the scratch database", async _ =>
        {
            var maintenance = ConnectionStrings.Maintenance(_scratch);
            await DatabaseRestoreEngine.DropAsync(maintenance, _scratch.Database!, run.Log).ConfigureAwait(false);
            await DatabaseRestoreEngine.DropRolesAsync(maintenance, restored.CreatedRoles, run.Log).ConfigureAwait(false);
            if (await DatabaseRestoreEngine.InspectAsync(_scratch, maintenance, CancellationToken.None).ConfigureAwait(false) is not null)
            {
                throw new HotmessException("DrillCleanupFailed", FailureKind.InvalidOperation,
                    $"The scratch database '{_scratch.Database}' is still there; drop it with: DROP DATABASE {TableMeasurement.Quote(_scratch.Database!)};", _scratch.Database);
            }

            return restored.CreatedRoles.Count == 0
                ? $"Dropped {_scratch.Database}."
                : $"Dropped {_scratch.Database} and the roles {string.Join(", ", restored.CreatedRoles)}.";
        }, cancellationToken).ConfigureAwait(false);
    }

    private static bool SameDatabase(NpgsqlConnectionStringBuilder a, NpgsqlConnectionStringBuilder b) =>
        string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port && string.Equals(a.Database, b.Database, StringComparison.Ordinal);

    private static HotmessException Production(string why) =>
        new("DrillTargetIsProduction", FailureKind.InvalidArgument,
            $"A drill never runs against production: {why}. Name a scratch database that does not exist yet (-ScratchConnectionString or drills.scratchConnectionString).", why);
}
