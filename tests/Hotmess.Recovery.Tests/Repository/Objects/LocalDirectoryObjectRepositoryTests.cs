using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>The encrypted repository in a local folder.</summary>
public sealed class LocalDirectoryObjectRepositoryTests : ObjectRepositoryTests
{
    private readonly string _storeRoot = Path.Combine(Path.GetTempPath(), "hotmess-objrepo-" + Guid.NewGuid().ToString("N")[..12]);

    protected override Task<IObjectStore> OpenStoreAsync() => Task.FromResult<IObjectStore>(new LocalDirectoryStore(_storeRoot));

    protected override async Task FlipByteAsync(string name)
    {
        var path = Path.Combine(_storeRoot, name.Replace('/', Path.DirectorySeparatorChar));
        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x01;
        await File.WriteAllBytesAsync(path, bytes);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(_storeRoot))
        {
            Directory.Delete(_storeRoot, recursive: true);
        }
    }
}
