using Hotmess.Recovery.Encryption;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// Where each thing lives in a repository over an object store. Every name below the store root is a folder that
/// says what kind of object it is and a keyed name (<see cref="RepositoryKey.ObjectName"/>) of the thing's logical
/// name, so a set id, a file name or a content digest is never visible:
/// <code>
/// hotmess-repository.json           the encrypted descriptor (format, KDF parameters, wrapped master key)
/// sets/&lt;k("sets/" + id)&gt;            a set's manifest: written last, so a set is listed only once whole
/// files/&lt;k("sets/" + id + "/" + path)&gt; a payload file of a set (the pg_dump directory, environment.bin)
/// objects/&lt;k("objects/" + sha256)&gt;   a content-store object, shared by every set that holds the same bytes
/// verifications/&lt;k("verifications/" + id + "/" + stamp)&gt;   a recorded verification
/// incidents/&lt;k("incidents/" + id)&gt;   an incident record, replaced each time the incident changes
/// locks/repository                  the lease a copy or a removal holds
/// </code>
/// Files and objects are encrypted with their logical name as associated data, so an object moved under another
/// name fails to decrypt. Manifests and verifications are found by listing, before their logical name is known:
/// they are bound to their stored name instead, and hold the set id it must be derived from.
/// </summary>
public static class ObjectRepositoryLayout
{
    public const string SetsFolder = "sets/";
    public const string FilesFolder = "files/";
    public const string ObjectsFolder = "objects/";
    public const string VerificationsFolder = "verifications/";
    public const string IncidentsFolder = "incidents/";
    public const string LeaseName = "locks/repository";

    public static string ManifestName(RepositoryKey key, string setId) => SetsFolder + key.ObjectName("sets/" + setId);

    public static string FileLogicalName(string setId, string path) => $"sets/{setId}/{path}";

    public static string FileName(RepositoryKey key, string setId, string path) => FilesFolder + key.ObjectName(FileLogicalName(setId, path));

    public static string ContentLogicalName(string sha256) => "objects/" + sha256;

    public static string ContentName(RepositoryKey key, string sha256) => ObjectsFolder + key.ObjectName(ContentLogicalName(sha256));

    public static string VerificationName(RepositoryKey key, string setId, DateTimeOffset completedUtc) =>
        VerificationsFolder + key.ObjectName($"verifications/{setId}/{completedUtc.UtcDateTime:yyyyMMdd'T'HHmmss'.'fffffff'Z'}");

    public static string IncidentLogicalName(string incidentId) => "incidents/" + incidentId;

    public static string IncidentName(RepositoryKey key, string incidentId) => IncidentsFolder + key.ObjectName(IncidentLogicalName(incidentId));
}
