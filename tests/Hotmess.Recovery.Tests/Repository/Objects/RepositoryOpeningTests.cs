using System.Collections.Concurrent;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Encryption;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support;

namespace Hotmess.Recovery.Tests.Repository.Objects;

/// <summary>What opening a repository for a copy asks of its store: each request is a round trip to a remote one.</summary>
public sealed class RepositoryOpeningTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hotmess-opening-" + Guid.NewGuid().ToString("N")[..12]);
    private readonly CollectingLog _log = new();

    [Fact]
    public async Task An_existing_repository_opens_for_a_copy_with_one_read_of_its_descriptor()
    {
        await (await ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(_root), LocalSets.Passphrase, _log, default)).DisposeAsync();
        var counting = new CountingStore(new LocalDirectoryStore(_root));

        await using var repository = await ObjectRepository.OpenOrInitializeAsync(counting, LocalSets.Passphrase, _log, default);

        Assert.Equal(["read " + EncryptedRepositoryDescriptor.ObjectName], counting.Requests);
    }

    [Fact]
    public async Task An_existing_repository_opened_for_a_copy_still_refuses_a_wrong_passphrase()
    {
        await (await ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(_root), LocalSets.Passphrase, _log, default)).DisposeAsync();

        var failure = await Assert.ThrowsAsync<HotmessException>(() =>
            ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(_root), new Secret("not the passphrase of it"), _log, default));

        Assert.Equal("RepositoryKeyWrong", failure.ErrorId);
    }

    [Fact]
    public async Task An_empty_store_is_initialised_by_the_first_open_for_a_copy()
    {
        await using (var created = await ObjectRepository.OpenOrInitializeAsync(new LocalDirectoryStore(_root), LocalSets.Passphrase, _log, default))
        {
            Assert.NotNull(await created.Store.GetInfoAsync(EncryptedRepositoryDescriptor.ObjectName, default));
        }

        await using var reopened = await ObjectRepository.OpenAsync(new LocalDirectoryStore(_root), LocalSets.Passphrase, default);
        Assert.Empty(await reopened.GetSetsAsync(null, _log, default));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private sealed class CountingStore(IObjectStore inner) : IObjectStore
    {
        private readonly ConcurrentQueue<string> _requests = new();

        public IReadOnlyList<string> Requests => _requests.ToList();

        public string Location => inner.Location;

        public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken)
        {
            _requests.Enqueue("list " + prefix);
            return inner.ListAsync(prefix, cancellationToken);
        }

        public Task<ObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken)
        {
            _requests.Enqueue("info " + name);
            return inner.GetInfoAsync(name, cancellationToken);
        }

        public Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken)
        {
            _requests.Enqueue("read " + name);
            return inner.OpenReadAsync(name, cancellationToken);
        }

        public Task<bool> PutIfAbsentAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            _requests.Enqueue("put-if-absent " + name);
            return inner.PutIfAbsentAsync(name, content, cancellationToken);
        }

        public Task PutAsync(string name, Stream content, CancellationToken cancellationToken)
        {
            _requests.Enqueue("put " + name);
            return inner.PutAsync(name, content, cancellationToken);
        }

        public Task DeleteAsync(string name, CancellationToken cancellationToken)
        {
            _requests.Enqueue("delete " + name);
            return inner.DeleteAsync(name, cancellationToken);
        }

        public Task<IObjectStoreLease> AcquireLeaseAsync(string name, TimeSpan duration, CancellationToken cancellationToken) =>
            inner.AcquireLeaseAsync(name, duration, cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
