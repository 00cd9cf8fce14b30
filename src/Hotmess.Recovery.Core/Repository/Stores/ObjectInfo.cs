namespace Hotmess.Recovery.Repository.Stores;

/// <summary>One stored object: its '/'-separated name below the store root, its size and when it was last written.</summary>
public sealed record ObjectInfo(string Name, long Length, DateTimeOffset LastModifiedUtc);
