using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// A repository as a cmdlet was given it: a plain local folder, or an object repository (<c>az://</c>, <c>s3://</c>,
/// or a local folder encrypted the same way), which needs its key and whose sets are fetched into a private cache
/// before a restore or a verification reads them.
/// </summary>
/// <param name="Location">The full local path, or the remote location as written (<c>az://backups/hotmess</c>).</param>
/// <param name="IsObjectRepository">True for an encrypted object repository, false for a plain local folder.</param>
public sealed record RepositoryReference(string Location, bool IsObjectRepository)
{
    public static RepositoryReference Of(string location) => new(location, ObjectRepositoryAddress.IsObjectRepository(location));

    public override string ToString() => Location;
}
