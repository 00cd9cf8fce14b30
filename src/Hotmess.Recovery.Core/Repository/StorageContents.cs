namespace Hotmess.Recovery.Repository;

/// <summary>The storage part of a manifest: every bucket and every object, addressed in the content store by SHA-256.</summary>
public sealed class StorageContents
{
}
