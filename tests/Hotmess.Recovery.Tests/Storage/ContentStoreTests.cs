using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using static Hotmess.Recovery.Tests.Storage.StorageTestData;

namespace Hotmess.Recovery.Tests.Storage;

public sealed class ContentStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hotmess-content-store-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Content_is_stored_under_its_sha256_and_hashed_while_written()
    {
        var store = new ContentStore(_root);
        var content = Bytes(300_000, 1);

        var stored = await store.AddAsync(new MemoryStream(content), content.Length, CancellationToken.None);

        Assert.Equal(Sha256(content), stored.Sha256);
        Assert.Equal(content.Length, stored.Size);
        Assert.False(stored.AlreadyStored);
        var path = Path.Combine(_root, stored.Sha256[..2], stored.Sha256);
        Assert.Equal(path, store.PathOf(stored.Sha256));
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.True(store.Contains(stored.Sha256, content.Length));
        Assert.False(store.Contains(stored.Sha256, content.Length + 1));
    }

    [Fact]
    public async Task Identical_content_is_stored_once()
    {
        var store = new ContentStore(_root);
        var content = Bytes(1_000, 2);

        var first = await store.AddAsync(new MemoryStream(content), null, CancellationToken.None);
        var second = await store.AddAsync(new MemoryStream(content), null, CancellationToken.None);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.True(second.AlreadyStored);
        Assert.Single(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_source_that_breaks_leaves_nothing_behind()
    {
        var store = new ContentStore(_root);

        await Assert.ThrowsAsync<IOException>(() => store.AddAsync(new BreakingStream(Bytes(500_000, 3), breakAfter: 200_000), null, CancellationToken.None));

        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("abc")]
    [InlineData("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde/")]
    public void Anything_but_a_digest_is_refused_as_a_blob_name(string name)
    {
        var store = new ContentStore(_root);

        var refused = Assert.Throws<HotmessException>(() => store.PathOf(name));

        Assert.Equal("ContentDigestInvalid", refused.ErrorId);
        Assert.False(store.Contains(name, 0));
    }

    [Fact]
    public async Task Checks_tell_missing_wrong_size_and_corrupt_blobs_apart()
    {
        var store = new ContentStore(_root);
        var intact = await store.AddAsync(new MemoryStream(Bytes(1_000, 4)), null, CancellationToken.None);
        var truncated = await store.AddAsync(new MemoryStream(Bytes(1_000, 5)), null, CancellationToken.None);
        var rotten = await store.AddAsync(new MemoryStream(Bytes(1_000, 6)), null, CancellationToken.None);
        await File.WriteAllBytesAsync(store.PathOf(truncated.Sha256), Bytes(999, 5));
        var bytes = await File.ReadAllBytesAsync(store.PathOf(rotten.Sha256));
        bytes[500] ^= 0xFF;
        await File.WriteAllBytesAsync(store.PathOf(rotten.Sha256), bytes);

        Assert.Equal(ContentState.Present, (await store.CheckAsync(intact.Sha256, 1_000, hash: true, CancellationToken.None)).State);
        Assert.Equal(ContentState.WrongSize, (await store.CheckAsync(truncated.Sha256, 1_000, hash: true, CancellationToken.None)).State);
        Assert.Equal(ContentState.Corrupt, (await store.CheckAsync(rotten.Sha256, 1_000, hash: true, CancellationToken.None)).State);
        Assert.Equal(ContentState.Present, (await store.CheckAsync(rotten.Sha256, 1_000, hash: false, CancellationToken.None)).State);
        Assert.Equal(ContentState.Missing, (await store.CheckAsync(Sha256([1, 2, 3]), 3, hash: true, CancellationToken.None)).State);
    }

    [Fact]
    public async Task Storing_content_again_repairs_a_blob_that_rotted_in_place()
    {
        var store = new ContentStore(_root);
        var content = Bytes(2_000, 7);
        var stored = await store.AddAsync(new MemoryStream(content), null, CancellationToken.None);
        var rotten = (byte[])content.Clone();
        rotten[0] ^= 0xFF;
        await File.WriteAllBytesAsync(store.PathOf(stored.Sha256), rotten);

        await store.AddAsync(new MemoryStream(content), null, CancellationToken.None);

        Assert.Equal(ContentState.Present, (await store.CheckAsync(stored.Sha256, content.Length, hash: true, CancellationToken.None)).State);
    }

    [Fact]
    public void Partial_downloads_of_interrupted_runs_are_removed()
    {
        var store = new ContentStore(_root);
        Directory.CreateDirectory(Path.Combine(_root, "tmp"));
        File.WriteAllBytes(Path.Combine(_root, "tmp", "0123.partial"), [1, 2]);

        Assert.Equal(1, store.RemoveTemporaryFiles());
        Assert.Empty(Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories));
    }

    /// <summary>Delivers some bytes, then fails like a connection that broke.</summary>
    private sealed class BreakingStream(byte[] content, int breakAfter) : MemoryStream(content)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= breakAfter)
            {
                throw new IOException("connection reset");
            }

            return await base.ReadAsync(buffer[..Math.Min(buffer.Length, breakAfter - (int)Position)], cancellationToken);
        }
    }
}
