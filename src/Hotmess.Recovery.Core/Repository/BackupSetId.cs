using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Repository;

/// <summary>Set ids sort by time and name their kind: <c>20261124T190312Z-database-7f3a</c>.</summary>
public static partial class BackupSetId
{
    private const string TimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    public static string New(BackupKind kind, DateTimeOffset startedUtc) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{startedUtc.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture)}-{BackupKinds.Of(kind).Name}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}");

    /// <summary>True for a well-formed id of a registered kind; anything else (paths, '..') is refused before it touches the disk.</summary>
    public static bool IsValid(string id) => TryParse(id, out _, out _);

    /// <summary>Reads the kind and start time out of an id, so a set whose manifest is lost or damaged still says what it was.</summary>
    public static bool TryParse(string id, out BackupKind kind, out DateTimeOffset startedUtc)
    {
        kind = default;
        startedUtc = default;
        var match = Pattern().Match(id);
        if (!match.Success || BackupKinds.Named(match.Groups["kind"].Value) is not { } registration
            || !DateTimeOffset.TryParseExact(match.Groups["time"].Value, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out startedUtc))
        {
            return false;
        }

        kind = registration.Kind;
        return true;
    }

    [GeneratedRegex("^(?<time>[0-9]{8}T[0-9]{6}Z)-(?<kind>[a-z]+(-[a-z]+)*)-[0-9a-f]{4}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
