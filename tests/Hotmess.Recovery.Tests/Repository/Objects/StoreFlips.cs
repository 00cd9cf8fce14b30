using Hotmess.Recovery.Repository.Stores;

namespace Hotmess.Recovery.Tests.Repository.Objects;

internal static class StoreFlips
{
    /// <summary>Rewrites a stored object with one byte in its middle changed, through the store itself.</summary>
    public static async Task FlipByteAsync(IObjectStore store, string name)
    {
        var buffer = new MemoryStream();
        await using (var read = await store.OpenReadAsync(name, default))
        {
            await read.CopyToAsync(buffer);
        }

        var bytes = buffer.ToArray();
        bytes[bytes.Length / 2] ^= 0x01;
        await store.PutAsync(name, new MemoryStream(bytes), default);
    }
}
