using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Database;

/// <summary>
/// One line of <c>pg_restore --list</c>: <c>3620; 0 16427 TABLE DATA auth users postgres</c>. Global objects have
/// namespace <c>-</c>; names may hold spaces (policies), so the name is what lies between the namespace and the owner.
/// </summary>
public sealed partial record DumpTocEntry(string Line, string Description, string Namespace, string Name, string Owner)
{
    // Longest first, so "TABLE DATA" is not read as "TABLE".
    private static readonly string[] Descriptions =
    [
        "MATERIALIZED VIEW DATA", "MATERIALIZED VIEW", "SEQUENCE OWNED BY", "SEQUENCE SET", "TABLE DATA", "FK CONSTRAINT", "CHECK CONSTRAINT",
        "ROW SECURITY", "DEFAULT ACL", "EVENT TRIGGER", "FOREIGN TABLE", "INDEX ATTACH", "TABLE ATTACH", "PUBLICATION TABLE",
        "PUBLICATION TABLES IN SCHEMA", "LARGE OBJECT", "BLOB", "BLOBS", "SHELL TYPE", "TEXT SEARCH CONFIGURATION", "TEXT SEARCH DICTIONARY",
        "CONSTRAINT", "DEFAULT", "INDEX", "TRIGGER", "POLICY", "ACL", "COMMENT", "SCHEMA", "EXTENSION", "TABLE", "VIEW", "SEQUENCE",
        "FUNCTION", "PROCEDURE", "AGGREGATE", "TYPE", "DOMAIN", "RULE", "PUBLICATION", "SUBSCRIPTION", "COLLATION", "OPERATOR", "CAST",
    ];

    /// <summary>The entries of a listing; comment lines and blank lines are skipped.</summary>
    public static List<DumpTocEntry> Parse(IEnumerable<string> lines)
    {
        var entries = new List<DumpTocEntry>();
        foreach (var line in lines)
        {
            var match = EntryPattern().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var rest = match.Groups[1].Value;
            var description = Descriptions.FirstOrDefault(d => rest.StartsWith(d + " ", StringComparison.Ordinal)) ?? rest.Split(' ')[0];
            rest = rest[description.Length..].TrimStart(' ');
            var space = rest.IndexOf(' ', StringComparison.Ordinal);
            var ns = space < 0 ? rest : rest[..space];
            var tail = space < 0 ? "" : rest[(space + 1)..];
            // The owner is the last word; entries without one (EXTENSION) end in a space.
            var last = tail.LastIndexOf(' ');
            var (name, owner) = last < 0 ? (tail, "") : (tail[..last], tail[(last + 1)..]);
            entries.Add(new DumpTocEntry(line, description, ns, name, owner));
        }

        return entries;
    }

    [GeneratedRegex(@"^\d+; \d+ \d+ (.*)$")]
    private static partial Regex EntryPattern();
}
