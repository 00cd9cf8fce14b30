using Hotmess.Recovery.Storage;
using Hotmess.Recovery.Tests.Fakes;

namespace Hotmess.Recovery.Tests.Storage;

/// <summary>Tests against the Storage fake: a fake and a client of it for each test, torn down after it.</summary>
public abstract class StorageFakeTests : IAsyncLifetime
{
    protected FakeServer Fake { get; private set; } = null!;

    protected SupabaseStorageClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Fake = await FakeServer.StartAsync();
        Client = Fake.NewClient();
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Fake.DisposeAsync();
    }
}
