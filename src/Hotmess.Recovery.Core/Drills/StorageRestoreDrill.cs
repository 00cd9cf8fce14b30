using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Storage;

namespace Hotmess.Recovery.Drills;

/// <summary>
/// File storage lost, rehearsed: the newest verified storage set is what survived. It is restored with the engine
/// Restore-HotmessStorage uses into scratch buckets (each bucket of the set under a prefix, <c>drill-avatars</c> for
/// <c>avatars</c>) that must not exist before, every object is confirmed by listing, and cleanup deletes the scratch
/// buckets. The RPO is the incident minus the newest last-modified time among the objects recovered.
/// </summary>
public sealed class StorageRestoreDrill : IDrillScenario
{
    private readonly BackupRepository _repository;
    private readonly Uri _supabaseUrl;
    private readonly Secret _serviceKey;
    private readonly string _bucketPrefix;
    private readonly int _throttleLimit;
    private readonly StorageClientOptions? _clientOptions;
    private List<string> _scratchBuckets = [];

    /// <param name="bucketPrefix">Put before every bucket id of the set; the scratch buckets must not exist yet.</param>
    public StorageRestoreDrill(BackupRepository repository, Uri supabaseUrl, Secret serviceKey, string? bucketPrefix,
        int throttleLimit = StorageRestoreRequest.DefaultThrottleLimit, StorageClientOptions? clientOptions = null)
    {
        _repository = repository;
        _supabaseUrl = supabaseUrl;
        _serviceKey = serviceKey;
        _bucketPrefix = bucketPrefix ?? "";
        _throttleLimit = throttleLimit;
        _clientOptions = clientOptions;
    }

    public DrillScenario Scenario => DrillScenario.StorageRestore;

    public string Target => $"{_supabaseUrl.GetLeftPart(UriPartial.Authority)}, buckets {_bucketPrefix}*";

    public IReadOnlyList<string> Plan =>
    [
        $"Simulate the loss of file storage: take the newest verified storage set of '{_repository.Root}' as what survived",
        $"Restore it into scratch buckets '{_bucketPrefix}<bucket>' of {_supabaseUrl.GetLeftPart(UriPartial.Authority)}, which must not exist yet",
        "Verify every object of the set is listed back with its size: the files are back",
        "Clean up: delete the scratch buckets and their objects",
    ];

    public void Validate()
    {
        // Without a prefix the restore would go into the set's own buckets: production's.
        if (string.IsNullOrWhiteSpace(_bucketPrefix))
        {
            throw new HotmessException("DrillTargetIsProduction", FailureKind.InvalidArgument,
                "A drill never runs against production: without a scratch bucket prefix the set would be restored into its own buckets. Pass -ScratchBucketPrefix (or set drills.scratchBucketPrefix), e.g. drill-.",
                "ScratchBucketPrefix");
        }
    }

    public async Task RecoverAsync(DrillRun run, CancellationToken cancellationToken)
    {
        var set = await run.StepAsync("Simulate the failure: the newest verified storage set survived", async token =>
        {
            var survivor = _repository.GetSets(BackupKind.Storage)
                .FirstOrDefault(s => _repository.GetVerifications(s.Id).Any(v => v.Passed))
                ?? throw new HotmessException("DrillNoVerifiedSet", FailureKind.NotFound,
                    $"The repository '{_repository.Root}' holds no storage set that passed a verification, so no files are known to survive: verify one with Test-HotmessBackup first.",
                    _repository.Root);
            var wanted = survivor.Manifest.Storage!.Buckets.Select(b => _bucketPrefix + b.Id).ToList();
            using var client = NewClient(run.Log);
            var present = (await client.ListBucketsAsync(token).ConfigureAwait(false)).Select(b => b.Id).Intersect(wanted, StringComparer.Ordinal).ToList();
            if (present.Count > 0)
            {
                // The drill deletes its scratch buckets afterwards: never one it did not create.
                throw new HotmessException("DrillScratchBucketExists", FailureKind.AlreadyExists,
                    $"The scratch bucket(s) {string.Join(", ", present)} already exist; the drill only restores into buckets it creates and deletes. Choose another prefix or delete them.",
                    present[0]);
            }

            _scratchBuckets = wanted;
            run.SurvivingSetId = survivor.Id;
            return (survivor, $"{survivor.Id}, taken {survivor.StartedUtc:u}: {survivor.Manifest.Storage.ObjectCount:N0} objects in {wanted.Count} bucket(s)");
        }, cancellationToken).ConfigureAwait(false);

        var restored = await run.StepAsync("Restore the set into the scratch buckets", async token =>
        {
            var result = await StorageRestoreEngine.RestoreAsync(new StorageRestoreRequest
            {
                Set = set,
                SupabaseUrl = _supabaseUrl,
                ServiceKey = _serviceKey,
                BucketPrefix = _bucketPrefix,
                ThrottleLimit = _throttleLimit,
                ClientOptions = _clientOptions,
            }, run.Log, token).ConfigureAwait(false);
            if (result.Failures.Count > 0 || result.Conflicts.Count > 0)
            {
                throw new HotmessException("DrillRestoreIncomplete", FailureKind.RemoteServiceFailed,
                    $"{result.Failures.Count} object(s) failed and {result.Conflicts.Count} conflicted: {string.Join(", ", result.Failures.Select(f => f.Object).Concat(result.Conflicts).Take(10))}.", set.Id);
            }

            return (result, $"{result.UploadedCount:N0} objects, {result.UploadedBytes:N0} bytes into {string.Join(", ", result.Buckets)}");
        }, cancellationToken).ConfigureAwait(false);

        await run.StepAsync("Verify every object is back", _ =>
        {
            if (!restored.Complete)
            {
                throw new HotmessException("DrillVerificationFailed", FailureKind.InvalidData,
                    $"Only {restored.VerifiedCount:N0} of {restored.ObjectCount:N0} objects were listed back with their size.", set.Id);
            }

            run.ServiceVerified();
            var newest = set.Manifest.Storage!.Objects.Select(o => o.LastModified).Where(t => t is not null).Max();
            // Objects without a last-modified time: the moment the set was taken is the newest known.
            run.NewestDataRecoveredUtc = newest ?? set.StartedUtc;
            return Task.FromResult($"{restored.VerifiedCount:N0} of {restored.ObjectCount:N0} objects listed back; newest data {run.NewestDataRecoveredUtc:u}.");
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task CleanupAsync(DrillRun run, CancellationToken cancellationToken)
    {
        if (_scratchBuckets.Count == 0)
        {
            return;
        }

        await run.CleanupStepAsync("Delete the scratch buckets", async token =>
        {
            using var client = NewClient(run.Log);
            var present = (await client.ListBucketsAsync(token).ConfigureAwait(false)).Select(b => b.Id).Intersect(_scratchBuckets, StringComparer.Ordinal).ToList();
            var objects = 0;
            foreach (var bucket in present)
            {
                var keys = (await client.ListObjectsAsync(bucket, "", _throttleLimit, null, token).ConfigureAwait(false)).Select(o => o.Key).ToList();
                await client.DeleteBucketAsync(bucket, keys, token).ConfigureAwait(false);
                objects += keys.Count;
            }

            return present.Count == 0 ? "No scratch bucket was created." : $"Deleted {string.Join(", ", present)} ({objects:N0} objects).";
        }, cancellationToken).ConfigureAwait(false);
    }

    private SupabaseStorageClient NewClient(IOperationLog log) => new(_supabaseUrl, _serviceKey, _clientOptions, log);
}
