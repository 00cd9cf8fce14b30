using System.Security.Cryptography;
using System.Text;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Repository.Stores;

/// <summary>
/// What every <see cref="IObjectStore"/> promises, run against each of them (a local folder, Azurite, s3rver). Each
/// test gets a store of its own (a fresh folder, container prefix or bucket prefix).
/// </summary>
public abstract class ObjectStoreContractTests : IAsyncLifetime
{
    private IObjectStore? _store;

    protected IObjectStore Store => _store ?? throw new InvalidOperationException("The store is not open yet.");

    /// <summary>Opens a store over a place no other test uses.</summary>
    protected abstract Task<IObjectStore> OpenStoreAsync();

    /// <summary>A second, independent view of the same place (as another process would open it).</summary>
    protected abstract Task<IObjectStore> OpenSameStoreAgainAsync();

    public async Task InitializeAsync() => _store = await OpenStoreAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Listing_with_a_prefix_returns_only_the_names_below_it_in_ordinal_order()
    {
        await PutTextAsync("sets/b/manifest", "b");
        await PutTextAsync("sets/a/manifest", "a");
        await PutTextAsync("sets/a/files/dump.bin", "dump");
        await PutTextAsync("objects/ab/abcdef", "object");
        await PutTextAsync("setsbefore", "not below sets/");

        var below = await ListNamesAsync("sets/");
        var all = await ListNamesAsync("");

        Assert.Equal(["sets/a/files/dump.bin", "sets/a/manifest", "sets/b/manifest"], below);
        Assert.Equal(["objects/ab/abcdef", "sets/a/files/dump.bin", "sets/a/manifest", "sets/b/manifest", "setsbefore"], all);
        Assert.Equal(["sets/a/files/dump.bin", "sets/a/manifest"], await ListNamesAsync("sets/a"));
        Assert.Empty(await ListNamesAsync("nothing/"));
    }

    [Fact]
    public async Task Listing_reports_each_objects_length_and_a_recent_time()
    {
        var before = DateTimeOffset.UtcNow.AddMinutes(-5);
        await PutTextAsync("dir/one", "12345");

        var info = Assert.Single(await ToListAsync(Store.ListAsync("dir/", CancellationToken.None)));

        Assert.Equal(new ObjectInfo("dir/one", 5, info.LastModifiedUtc), info);
        Assert.InRange(info.LastModifiedUtc, before, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Fact]
    public async Task Get_info_gives_the_length_of_an_object_and_null_for_a_missing_one()
    {
        await PutTextAsync("a/b/c.json", "{\"x\":1}");

        var info = await Store.GetInfoAsync("a/b/c.json", CancellationToken.None);

        Assert.NotNull(info);
        Assert.Equal("a/b/c.json", info.Name);
        Assert.Equal(7, info.Length);
        Assert.Null(await Store.GetInfoAsync("a/b/missing.json", CancellationToken.None));
        Assert.Null(await Store.GetInfoAsync("a/b", CancellationToken.None));
    }

    [Fact]
    public async Task Reading_returns_exactly_the_bytes_written()
    {
        var bytes = RandomNumberGenerator.GetBytes(300_000);
        await Store.PutAsync("blob/bytes", new MemoryStream(bytes), CancellationToken.None);

        Assert.Equal(bytes, await ReadAllAsync("blob/bytes"));
    }

    [Fact]
    public async Task Reading_a_missing_object_fails_with_RepositoryObjectMissing_naming_it()
    {
        var error = await Assert.ThrowsAsync<HotmessException>(() => Store.OpenReadAsync("sets/none/manifest", CancellationToken.None));

        Assert.Equal("RepositoryObjectMissing", error.ErrorId);
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Contains("sets/none/manifest", error.Message);
        Assert.Contains(Store.Location, error.Message);
    }

    [Fact]
    public async Task Put_if_absent_writes_a_new_object_and_returns_true()
    {
        Assert.True(await Store.PutIfAbsentAsync("objects/x", Text("first"), CancellationToken.None));

        Assert.Equal("first", await ReadTextAsync("objects/x"));
    }

    [Fact]
    public async Task Put_if_absent_returns_false_and_keeps_the_existing_object()
    {
        await PutTextAsync("objects/x", "first");

        Assert.False(await Store.PutIfAbsentAsync("objects/x", Text("second"), CancellationToken.None));

        Assert.Equal("first", await ReadTextAsync("objects/x"));
    }

    [Fact]
    public async Task Put_replaces_an_existing_object()
    {
        await PutTextAsync("state/journal", "old and longer");
        await PutTextAsync("state/journal", "new");

        Assert.Equal("new", await ReadTextAsync("state/journal"));
        Assert.Equal(3, (await Store.GetInfoAsync("state/journal", CancellationToken.None))!.Length);
    }

    [Fact]
    public async Task Delete_removes_an_object_and_deleting_it_again_is_no_error()
    {
        await PutTextAsync("sets/a/manifest", "a");
        await PutTextAsync("sets/a/other", "b");

        await Store.DeleteAsync("sets/a/manifest", CancellationToken.None);
        await Store.DeleteAsync("sets/a/manifest", CancellationToken.None);
        await Store.DeleteAsync("never/was", CancellationToken.None);

        Assert.Null(await Store.GetInfoAsync("sets/a/manifest", CancellationToken.None));
        Assert.Equal(["sets/a/other"], await ListNamesAsync(""));
    }

    [Fact]
    public async Task Names_with_slashes_are_kept_whole_and_bad_names_are_refused()
    {
        await PutTextAsync("a/b/c/d/e.txt", "deep");

        Assert.Equal(["a/b/c/d/e.txt"], await ListNamesAsync("a/b/"));
        Assert.Equal("deep", await ReadTextAsync("a/b/c/d/e.txt"));
        foreach (var bad in new[] { "", "/a", "a/", "a//b", "a/../b", "./a", "a\\b", ".hotmess-tmp/x" })
        {
            var error = await Assert.ThrowsAsync<HotmessException>(() => Store.PutAsync(bad, Text("x"), CancellationToken.None));
            Assert.Equal("RepositoryObjectNameInvalid", error.ErrorId);
        }
    }

    [Fact]
    public async Task A_lease_held_by_another_is_refused_with_RepositoryLocked_until_it_is_released()
    {
        await using var other = await OpenSameStoreAgainAsync();
        var held = await Store.AcquireLeaseAsync("locks/prune", TimeSpan.FromSeconds(30), CancellationToken.None);

        var error = await Assert.ThrowsAsync<HotmessException>(() => other.AcquireLeaseAsync("locks/prune", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal("RepositoryLocked", error.ErrorId);
        Assert.Contains("locks/prune", error.Message);
        await using (await other.AcquireLeaseAsync("locks/backup", TimeSpan.FromSeconds(30), CancellationToken.None))
        {
            // Another name is another lease.
        }

        await held.RenewAsync(CancellationToken.None);
        await held.DisposeAsync();

        await using var taken = await other.AcquireLeaseAsync("locks/prune", TimeSpan.FromSeconds(30), CancellationToken.None);
        await taken.RenewAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_cut_upload_leaves_no_visible_object()
    {
        var cut = new GeneratedStream(40L << 20, seed: 1, failAfter: 12L << 20);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.PutIfAbsentAsync("objects/cut", cut, CancellationToken.None));
        var small = new GeneratedStream(1L << 20, seed: 2, failAfter: 100_000);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.PutAsync("objects/small", small, CancellationToken.None));

        Assert.Null(await Store.GetInfoAsync("objects/cut", CancellationToken.None));
        Assert.Null(await Store.GetInfoAsync("objects/small", CancellationToken.None));
        Assert.Empty(await ListNamesAsync(""));
        Assert.True(await Store.PutIfAbsentAsync("objects/cut", Text("whole"), CancellationToken.None));
    }

    [Fact]
    public async Task A_cut_replacement_leaves_the_previous_object_whole()
    {
        await PutTextAsync("state/journal", "previous");

        var cut = new GeneratedStream(40L << 20, seed: 3, failAfter: 12L << 20);
        await Assert.ThrowsAnyAsync<Exception>(() => Store.PutAsync("state/journal", cut, CancellationToken.None));

        Assert.Equal("previous", await ReadTextAsync("state/journal"));
    }

    /// <summary>Asserts that a lease whose holder went away without releasing it can be taken once it expired.</summary>
    protected async Task AssertAnAbandonedLeaseCanBeTakenOnceExpired(TimeSpan duration)
    {
        await using var other = await OpenSameStoreAgainAsync();
        // Taken and never released nor renewed, as by a process that died.
        _ = await Store.AcquireLeaseAsync("locks/abandoned", duration, CancellationToken.None);
        await Assert.ThrowsAsync<HotmessException>(() => other.AcquireLeaseAsync("locks/abandoned", duration, CancellationToken.None));

        await Task.Delay(duration + TimeSpan.FromSeconds(2));

        await using var taken = await other.AcquireLeaseAsync("locks/abandoned", duration, CancellationToken.None);
        await taken.RenewAsync(CancellationToken.None);
    }

    protected async Task PutTextAsync(string name, string text) => await Store.PutAsync(name, Text(text), CancellationToken.None);

    protected async Task<string> ReadTextAsync(string name) => Encoding.UTF8.GetString(await ReadAllAsync(name));

    protected async Task<byte[]> ReadAllAsync(string name)
    {
        await using var stream = await Store.OpenReadAsync(name, CancellationToken.None);
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    protected async Task<List<string>> ListNamesAsync(string prefix) =>
        (await ToListAsync(Store.ListAsync(prefix, CancellationToken.None))).Select(i => i.Name).ToList();

    protected static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    protected static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
