using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Repository.Stores;

public sealed class LocalDirectoryStoreTests : ObjectStoreContractTests, IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotmess-store-" + Guid.NewGuid().ToString("N")[..12]);

    protected override Task<IObjectStore> OpenStoreAsync() => Task.FromResult<IObjectStore>(new LocalDirectoryStore(_root));

    protected override Task<IObjectStore> OpenSameStoreAgainAsync() => Task.FromResult<IObjectStore>(new LocalDirectoryStore(_root));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task An_object_is_flushed_into_a_file_in_flight_then_renamed_into_place_and_its_folder_synced()
    {
        using var observed = FileDurability.Observe();
        await PutTextAsync("sets/a/manifest.json", "{}");

        var steps = observed.Steps;
        var target = Path.Combine(_root, "sets", "a", "manifest.json");
        var renamed = steps.Single(s => s.Action == DurabilityAction.Renamed && s.Path == target);
        Assert.StartsWith(Path.Combine(_root, ".hotmess-tmp") + Path.DirectorySeparatorChar, renamed.From);
        Assert.True(steps.ToList().FindIndex(s => s.Action == DurabilityAction.FileFlushed && s.Path == renamed.From) < steps.ToList().IndexOf(renamed));
        Assert.Contains(steps.SkipWhile(s => s != renamed), s => s.Action == DurabilityAction.FolderSynced && s.Path == Path.GetDirectoryName(target));
    }

    [Fact]
    public async Task Files_in_flight_and_lock_files_are_never_listed()
    {
        await using var lease = await Store.AcquireLeaseAsync("locks/prune", TimeSpan.FromMinutes(1), CancellationToken.None);
        Directory.CreateDirectory(Path.Combine(_root, ".hotmess-tmp"));
        await File.WriteAllTextAsync(Path.Combine(_root, ".hotmess-tmp", "killed.partial"), "half");
        await PutTextAsync("x", "1");

        Assert.Equal(["x"], await ListNamesAsync(""));
    }

    [Fact]
    public async Task Objects_and_folders_are_private_to_their_owner()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes; Windows folders inherit the user profile's ACL.
        }

        await PutTextAsync("sets/a/manifest.json", "{}");

        Assert.Equal(PrivateFiles.FileMode, File.GetUnixFileMode(Path.Combine(_root, "sets", "a", "manifest.json")));
        Assert.Equal(PrivateFiles.FolderMode, File.GetUnixFileMode(Path.Combine(_root, "sets", "a")));
    }

}
