namespace Hotmess.Recovery.Repository.Stores;

/// <summary>
/// A flat namespace of immutable-until-replaced objects: a local folder, an Azure Blob container (and prefix) or an
/// S3 bucket (and prefix). Names are '/'-separated relative paths below the store root (see <see cref="ObjectNames"/>).
/// A write is never visible partly written: either the whole object appears, or nothing does.
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
