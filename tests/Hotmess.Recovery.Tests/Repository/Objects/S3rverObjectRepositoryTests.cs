using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support.Emulators;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>The encrypted repository in an S3 bucket, on s3rver.</summary>
public sealed class S3rverObjectRepositoryTests(S3rverFixture s3rver) : ObjectRepositoryTests, IClassFixture<S3rverFixture>
{
    private readonly string _location = $"s3://copies/t-{Guid.NewGuid():N}";

    protected override Task<IObjectStore> OpenStoreAsync() => Task.FromResult(s3rver.OpenStore(_location));

    protected override async Task FlipByteAsync(string name)
    {
        await using var store = s3rver.OpenStore(_location);
        await StoreFlips.FlipByteAsync(store, name);
    }
}
