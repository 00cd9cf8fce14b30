using System.Collections;
using Azure.Storage.Blobs;
using Azure.Storage;
using Azure.Storage.Blobs.Models;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository.Stores;
using Hotmess.Recovery.Tests.Support.Emulators;

namespace Hotmess.Recovery.Tests.Repository.Stores;

public sealed class AzureBlobStoreTests(AzuriteFixture azurite) : ObjectStoreContractTests, IClassFixture<AzuriteFixture>
{
    private readonly string _location = $"az://contract/t-{Guid.NewGuid():N}";

    protected override Task<IObjectStore> OpenStoreAsync() => Task.FromResult(azurite.OpenStore(_location));

    protected override Task<IObjectStore> OpenSameStoreAgainAsync() => Task.FromResult(azurite.OpenStore(_location));

    [Fact]
    public Task A_lease_whose_holder_went_away_can_be_taken_once_it_expired() =>
        AssertAnAbandonedLeaseCanBeTakenOnceExpired(TimeSpan.FromSeconds(15));

    [Fact]
    public async Task A_lease_longer_than_the_service_grants_is_renewed_in_the_background_while_held()
    {
        var store = Assert.IsType<AzureBlobStore>(Store);
        store.LongestServiceLease = TimeSpan.FromSeconds(15);
        await using var other = await OpenSameStoreAgainAsync();
        await using var lease = await store.AcquireLeaseAsync("locks/long", TimeSpan.FromMinutes(5), CancellationToken.None);

        // Past the 15 s the service granted: only the background renewals keep it.
        await Task.Delay(TimeSpan.FromSeconds(20));

        var error = await Assert.ThrowsAsync<HotmessException>(() => other.AcquireLeaseAsync("locks/long", TimeSpan.FromSeconds(15), CancellationToken.None));
        Assert.Equal("RepositoryLocked", error.ErrorId);
    }

    [Fact]
    public async Task Blocks_left_by_a_killed_upload_do_not_make_an_object_look_present()
    {
        await PutTextAsync("other", "makes the container");
        var prefix = _location["az://contract/".Length..];
        var container = new BlobContainerClient(azurite.ConnectionString, "contract");
        foreach (var name in new[] { "objects/seekable", "objects/forward-only" })
        {
            // What a process killed between staging blocks and committing their list leaves behind: the SDK's own
            // blocks, uncommitted, with nobody left to clear them.
            var options = new BlobUploadOptions { TransferOptions = new StorageTransferOptions { InitialTransferSize = 4 << 20, MaximumTransferSize = 4 << 20, MaximumConcurrency = 1 } };
            await Assert.ThrowsAnyAsync<Exception>(() => container.GetBlobClient($"{prefix}/{name}").UploadAsync(new GeneratedStream(20L << 20, seed: 6, failAfter: 9L << 20), options));
        }

        Assert.True(await Store.PutIfAbsentAsync("objects/seekable", Text("whole"), CancellationToken.None));
        Assert.Equal("whole", await ReadTextAsync("objects/seekable"));

        Assert.True(await Store.PutIfAbsentAsync("objects/forward-only", new GeneratedStream(5000, seed: 5), CancellationToken.None));
        Assert.Equal(GeneratedStream.Sha256Of(5000, 5), System.Security.Cryptography.SHA256.HashData(await ReadAllAsync("objects/forward-only")));
        Assert.Equal(5000, (await Store.GetInfoAsync("objects/forward-only", CancellationToken.None))!.Length);
    }

    [Fact]
    public async Task A_small_forward_only_object_of_known_length_goes_in_one_put_blob_request_with_its_md5()
    {
        var requests = new RequestRecordingHandler();
        await using var store = ObjectStores.Open(RepositoryLocation.Parse(_location), azurite.Environment, requests);
        await store.PutAsync("made", Text("makes the container"), CancellationToken.None);
        requests.Clear();

        Assert.True(await store.PutIfAbsentAsync("objects/small", new ForwardOnly(new byte[300_000], announcedLength: 300_000), CancellationToken.None));
        await store.PutAsync("objects/replaced", new ForwardOnly(new byte[1000], announcedLength: 1000), CancellationToken.None);

        // One Put Blob each (no Put Block + Put Block List), each carrying the digest the service checks.
        Assert.Equal(["PUT objects/small md5", "PUT objects/replaced md5"], requests.Seen.Select(r => r.Replace(_location["az://contract/".Length..] + "/", "")));
        Assert.Equal(300_000, (await store.GetInfoAsync("objects/small", CancellationToken.None))!.Length);
    }

    [Fact]
    public async Task A_stream_longer_or_shorter_than_the_length_it_announces_stores_nothing()
    {
        await PutTextAsync("other", "makes the container");

        await Assert.ThrowsAsync<IOException>(() => Store.PutIfAbsentAsync("objects/longer", new ForwardOnly(new byte[1001], announcedLength: 1000), CancellationToken.None));
        await Assert.ThrowsAsync<IOException>(() => Store.PutAsync("objects/shorter", new ForwardOnly(new byte[999], announcedLength: 1000), CancellationToken.None));

        Assert.Null(await Store.GetInfoAsync("objects/longer", CancellationToken.None));
        Assert.Null(await Store.GetInfoAsync("objects/shorter", CancellationToken.None));
    }

    [Fact]
    public async Task A_missing_container_lists_nothing_and_is_created_by_the_first_write()
    {
        var container = "fresh-" + Guid.NewGuid().ToString("N")[..12];
        await using var store = azurite.OpenStore($"az://{container}/below/here");

        Assert.Empty(await ToListAsync(store.ListAsync("", CancellationToken.None)));
        Assert.Null(await store.GetInfoAsync("x", CancellationToken.None));
        await store.PutAsync("x", Text("1"), CancellationToken.None);

        var blobs = new BlobContainerClient(azurite.ConnectionString, container).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, null, CancellationToken.None);
        Assert.Equal(["below/here/x"], (await ToListAsync(blobs)).Select(b => b.Name));
    }

    [Fact]
    public async Task Lock_blobs_are_never_listed_and_are_gone_once_released()
    {
        await PutTextAsync("x", "1");
        await using (await Store.AcquireLeaseAsync("locks/prune", TimeSpan.FromSeconds(20), CancellationToken.None))
        {
            Assert.Equal(["x"], await ListNamesAsync(""));
        }

        var blobs = new BlobContainerClient(azurite.ConnectionString, "contract").GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, _location["az://contract/".Length..], CancellationToken.None);
        Assert.Single(await ToListAsync(blobs));
    }

    [Fact]
    public async Task An_unreachable_account_fails_with_RepositoryUnreachable_and_no_key_in_the_message()
    {
        var environment = new Hashtable
        {
            [ObjectStores.AzureConnectionStringVariable] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AzuriteFixture.AccountKey};BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;",
        };
        await using var store = ObjectStores.Open("az://contract/x", environment);

        var error = await Assert.ThrowsAsync<HotmessException>(() => store.GetInfoAsync("a", CancellationToken.None));

        Assert.Equal("RepositoryUnreachable", error.ErrorId);
        Assert.Contains("az://contract/x", error.Message);
        Assert.DoesNotContain(AzuriteFixture.AccountKey, error.ToString());
    }

    [Fact]
    public async Task A_wrong_account_key_fails_with_RepositoryAccessDenied()
    {
        var wrongKey = Convert.ToBase64String(new byte[64]);
        var environment = new Hashtable
        {
            [ObjectStores.AzureConnectionStringVariable] = azurite.ConnectionString.Replace(AzuriteFixture.AccountKey, wrongKey),
        };
        await using var store = ObjectStores.Open("az://contract/x", environment);

        var error = await Assert.ThrowsAsync<HotmessException>(() => store.PutAsync("a", Text("1"), CancellationToken.None));

        Assert.Equal("RepositoryAccessDenied", error.ErrorId);
        Assert.DoesNotContain(wrongKey, error.Message);
    }

    [Fact]
    public void Without_credentials_opening_fails_with_RepositoryCredentialsMissing_naming_the_variables()
    {
        var error = Assert.Throws<HotmessException>(() => ObjectStores.Open("az://contract/x", new Hashtable()));

        Assert.Equal("RepositoryCredentialsMissing", error.ErrorId);
        Assert.Contains(ObjectStores.AzureConnectionStringVariable, error.Message);
        Assert.Contains(ObjectStores.AzureAccountVariable, error.Message);
    }

    [Fact]
    public void A_malformed_connection_string_is_refused_without_repeating_it()
    {
        var error = Assert.Throws<HotmessException>(() => ObjectStores.Open("az://contract/x", new Hashtable { [ObjectStores.AzureConnectionStringVariable] = "AccountKey=s3cr3t-value;nonsense" }));

        Assert.Equal("RepositoryCredentialsInvalid", error.ErrorId);
        Assert.DoesNotContain("s3cr3t-value", error.Message);
    }

    [Fact]
    public void An_account_name_alone_opens_a_store_with_the_default_credential()
    {
        var store = ObjectStores.Open("az://backups/hotmess", new Hashtable { [ObjectStores.AzureAccountVariable] = "hotmessbackups" });

        Assert.IsType<AzureBlobStore>(store);
        Assert.Equal("az://backups/hotmess", store.Location);
    }

    /// <summary>An unseekable stream that still tells a length, as an encrypting stream does.</summary>
    private sealed class ForwardOnly(byte[] bytes, long announcedLength) : MemoryStream(bytes, writable: false)
    {
        public override bool CanSeek => false;

        public override long Length => announcedLength;
    }

    /// <summary>Records each blob write as "METHOD name[ md5]" (container and lease requests left out).</summary>
    private sealed class RequestRecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _seen = new();

        public IReadOnlyList<string> Seen => [.. _seen];

        public void Clear() => _seen.Clear();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = Uri.UnescapeDataString(request.RequestUri!.AbsolutePath);
            if (request.Method == HttpMethod.Put && !request.RequestUri.Query.Contains("restype=container", StringComparison.Ordinal))
            {
                var name = path[(path.IndexOf("/contract/", StringComparison.Ordinal) + "/contract/".Length)..];
                var md5 = request.Content?.Headers.ContentMD5 is not null ? " md5" : "";
                _seen.Enqueue($"PUT {name}{request.RequestUri.Query}{md5}");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
