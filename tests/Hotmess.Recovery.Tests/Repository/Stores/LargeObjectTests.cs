using System.Security.Cryptography;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support.Emulators;

namespace Hotmess.Recovery.Tests.Repository.Stores;

/// <summary>Runs alone, so the live memory it samples is the store's own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeObjectCollection
{
    public const string Name = "Large objects";
}

/// <summary>
/// A large object goes through every store streamed: written from a forward-only source of unknown length and read
/// back hash-equal, with the process's live memory far below the object's size while it is written.
/// </summary>
[Collection(LargeObjectCollection.Name)]
public sealed class LargeObjectTests(AzuriteFixture azurite, S3rverFixture s3rver) : IClassFixture<AzuriteFixture>, IClassFixture<S3rverFixture>
{
    private const long Size = 96L << 20;
    private const long MemoryAllowance = 40L << 20;

    private static async Task AssertStreamedAsync(IObjectStore store)
    {
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var source = new GeneratedStream(Size, seed: 42, sampleEvery: 8L << 20);

        await store.PutAsync("large/object.bin", source, CancellationToken.None);

        Assert.InRange(source.PeakLiveBytes - baseline, long.MinValue, MemoryAllowance);
        Assert.Equal(Size, (await store.GetInfoAsync("large/object.bin", CancellationToken.None))!.Length);
        await using var read = await store.OpenReadAsync("large/object.bin", CancellationToken.None);
        Assert.Equal(GeneratedStream.Sha256Of(Size, 42), await SHA256.HashDataAsync(read));
    }

    [Fact]
    public async Task A_large_object_is_streamed_through_a_local_folder()
    {
        var root = Path.Combine(Path.GetTempPath(), "hotmess-store-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            await using var store = new LocalDirectoryStore(root);
            await AssertStreamedAsync(store);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task A_large_object_is_streamed_through_azure_blob_storage()
    {
        await using var store = azurite.OpenNewStore("large");
        await AssertStreamedAsync(store);
    }

    [Fact]
    public async Task A_large_object_is_streamed_through_s3()
    {
        await using var store = s3rver.OpenNewStore("large");
        await AssertStreamedAsync(store);
    }
}
