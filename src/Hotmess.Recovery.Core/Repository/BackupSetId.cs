using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Repository;

/// <summary>Set ids sort by time: <c>20261124T190312Z-database-7f3a</c>.</summary>
public static partial class BackupSetId
{
    public static string New(BackupKind kind, DateTimeOffset startedUtc) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{startedUtc.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{kind.ToString().ToLowerInvariant()}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(2)).ToLowerInvariant()}");

    /// <summary>True for a well-formed id; anything else (paths, '..') is refused before it touches the disk.</summary>
    public static bool IsValid(string id) => Pattern().IsMatch(id);

    [GeneratedRegex("^[0-9]{8}T[0-9]{6}Z-(database|storage|environment)-[0-9a-f]{4}$")]
    private static partial Regex Pattern();
}
