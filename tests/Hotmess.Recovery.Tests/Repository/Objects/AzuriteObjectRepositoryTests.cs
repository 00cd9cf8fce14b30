using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support.Emulators;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>The encrypted repository in an Azure Blob container, on Azurite.</summary>
public sealed class AzuriteObjectRepositoryTests(AzuriteFixture azurite) : ObjectRepositoryTests, IClassFixture<AzuriteFixture>
{
    private readonly string _location = $"az://copies/t-{Guid.NewGuid():N}";

    protected override Task<IObjectStore> OpenStoreAsync() => Task.FromResult(azurite.OpenStore(_location));

    protected override async Task FlipByteAsync(string name)
    {
        await using var store = azurite.OpenStore(_location);
        await StoreFlips.FlipByteAsync(store, name);
    }
}
