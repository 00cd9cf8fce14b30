using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support;
using Hotmess.Recovery.Tests.Support.Emulators;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>
/// A copy has no read-back: the store confirms what it received by the digest sent with every request body. A byte
/// changed on the way must still fail the copy, leave no set at the destination, and be mended by copying again.
/// </summary>
public sealed class CorruptedInTransitTests(AzuriteFixture azurite, S3rverFixture s3rver)
    : IClassFixture<AzuriteFixture>, IClassFixture<S3rverFixture>, IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 19, 3, 12, TimeSpan.Zero);
    private readonly string _localRoot = Path.Combine(Path.GetTempPath(), "hotmess-transit-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly string _cacheParent = Path.Combine(Path.GetTempPath(), "hotmess-transitcache-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly CollectingLog _log = new();

    // 300 kB goes in one request; 9 MB in several blocks (Azure) or parts (S3).
    [Theory]
    [InlineData(300_000)]
    [InlineData(9_000_000)]
    public Task A_body_changed_on_the_way_to_Azurite_fails_the_copy_and_a_second_copy_mends_it(int fileSize) =>
        FlipOnTheWayAsync($"az://transit/t-{Guid.NewGuid():N}", azurite.Environment, fileSize);

    [Theory]
    [InlineData(300_000)]
    [InlineData(9_000_000)]
    public Task A_body_changed_on_the_way_to_s3rver_fails_the_copy_and_a_second_copy_mends_it(int fileSize) =>
        FlipOnTheWayAsync($"s3://transit/t-{Guid.NewGuid():N}", s3rver.Environment, fileSize);

    public void Dispose()
    {
        foreach (var folder in new[] { _localRoot, _cacheParent })
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private async Task FlipOnTheWayAsync(string location, System.Collections.IDictionary environment, int fileSize)
    {
        var local = BackupRepository.OpenOrCreate(_localRoot);
        Directory.CreateDirectory(_cacheParent);
        var set = await LocalSets.DatabaseSetAsync(local, Start, fileSize);
        var handler = new InTransitFlippingHandler("/files/");

        var ex = await Assert.ThrowsAsync<HotmessException>(async () =>
        {
            await using var repository = await ObjectRepository.OpenOrInitializeAsync(
                ObjectStores.Open(RepositoryLocation.Parse(location), environment, handler), LocalSets.Passphrase, _log, default);
            await BackupCopyEngine.CopyAsync(new BackupCopyRequest { Set = set, Destination = repository, Parallelism = 2 }, _log, default);
        });

        Assert.Equal("ObjectCorruptedInTransit", ex.ErrorId);
        Assert.True(handler.Flipped > 0);
        // The second copy skips whatever the first stored, so the fetch below also proves nothing changed was stored.
        await using (var repository = await ObjectRepository.OpenAsync(ObjectStores.Open(location, environment), LocalSets.Passphrase, default))
        {
            Assert.Empty(await repository.GetSetsAsync(null, _log, default));
            var copied = await BackupCopyEngine.CopyAsync(new BackupCopyRequest { Set = set, Destination = repository, Parallelism = 2 }, _log, default);
            using var fetched = await ObjectRepositoryFetcher.FetchAsync(
                new FetchRequest { Set = await repository.GetSetAsync(copied.Set.Id, false, default), Source = repository, CacheParent = _cacheParent }, _log, default);
            Assert.Empty(fetched.Failures);
            foreach (var file in set.Manifest.Files)
            {
                Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(set.Path, file.Path)), await File.ReadAllBytesAsync(Path.Combine(fetched.Set.Path, file.Path)));
            }
        }
    }
}
