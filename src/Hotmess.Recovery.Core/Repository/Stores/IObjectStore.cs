namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// A flat namespace of immutable-until-replaced objects: a local folder, an Azure Blob container (and prefix) or an
/// S3 bucket (and prefix). Names are '/'-separated relative paths below the store root (see <see cref="ObjectNames"/>).
/// A write is never visible partly written: either the whole object appears, or nothing does.
/// <para>
/// A write stores exactly the bytes read from its stream, or fails: a remote store sends a digest of every request
/// body, taken from the bytes as they were read, and the service refuses a body that does not match it (Azure and S3:
/// Content-MD5 per block or part), failing the write with "ObjectCorruptedInTransit"; a local folder writes the
/// bytes it read and flushes them to disk. So a writer that checks its bytes as it produces them needs no read-back.
/// </para>
/// </summary>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>Where the store is, for messages and output; never carries a secret ("az://backups/hotmess").</summary>
    string Location { get; }

    /// <summary>Every object whose name starts with <paramref name="prefix"/> ("" for all), in ordinal name order.</summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The object's size and time, or null when there is no such object.</summary>
    Task<ObjectInfo?> GetInfoAsync(string name, CancellationToken cancellationToken);

    /// <summary>A forward-read stream of the object's bytes; "RepositoryObjectMissing" when there is none.</summary>
    Task<Stream> OpenReadAsync(string name, CancellationToken cancellationToken);

    /// <summary>Writes the object unless one of that name exists (then returns false and writes nothing).</summary>
    Task<bool> PutIfAbsentAsync(string name, Stream content, CancellationToken cancellationToken);

    /// <summary>Writes the object, replacing one of that name; readers see the old or the new object, never a mix.</summary>
    Task PutAsync(string name, Stream content, CancellationToken cancellationToken);

    /// <summary>Removes the object; nothing happens when there is none.</summary>
    Task DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>
    /// Takes the exclusive lease of <paramref name="name"/> for <paramref name="duration"/> (renewable); another
    /// holder's live lease fails it at once with "RepositoryLocked".
    /// </summary>
    Task<IObjectStoreLease> AcquireLeaseAsync(string name, TimeSpan duration, CancellationToken cancellationToken);
}
