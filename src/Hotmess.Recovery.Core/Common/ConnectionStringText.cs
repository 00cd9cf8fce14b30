using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Common;

/// <summary>
/// Reads a database connection string as text, in any form a user pastes: a <c>postgres://user:pass@host/db</c>
/// URI (password also as <c>?password=</c>), Npgsql keywords (<c>Host=…;Password=…</c>, <c>pwd=</c>, <c>psw=</c>)
/// or libpq keywords (<c>host=… password='…'</c>). It needs no database driver, so configuration can use it;
/// where the text is ambiguous it hides too much rather than too little.
/// </summary>
public static partial class ConnectionStringText
{
    private const string Mask = "****";

    public static bool IsUri(string text) => UriScheme().IsMatch(text);

    /// <summary>True when the text carries a password in any of its forms.</summary>
    public static bool HasPassword(string? text) => !string.IsNullOrEmpty(text) && RedactPasswords(text) != text;

    /// <summary>The text with every password replaced by <c>****</c>; everything else as written.</summary>
    public static string RedactPasswords(string text)
    {
        if (IsUri(text))
        {
            return QueryPassword().Replace(RedactUserInfo(text), m => m.Groups["key"].Value + Mask);
        }

        // In the Npgsql form a value ends at ';'; in the libpq form at the next "key=".
        var pattern = text.Contains(';', StringComparison.Ordinal) ? NpgsqlPassword() : LibpqPassword();
        return pattern.Replace(text, m => m.Groups["value"].Length == 0 ? m.Value : m.Groups["key"].Value + Mask);
    }

    /// <summary>The host (or hosts, comma-separated) the text connects to, or null when it names none.</summary>
    public static string? Host(string text)
    {
        if (IsUri(text))
        {
            var authority = RedactUserInfo(text)[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
            authority = authority[(authority.LastIndexOf('@') + 1)..];
            var end = authority.IndexOfAny(['/', '?', '#']);
            var host = end < 0 ? authority : authority[..end];
            var fromQuery = QueryHost().Match(text);
            return host.Length > 0 ? Uri.UnescapeDataString(StripPort(host)) : fromQuery.Success ? Uri.UnescapeDataString(fromQuery.Groups["value"].Value) : null;
        }

        var pattern = text.Contains(';', StringComparison.Ordinal) ? NpgsqlHost() : LibpqHost();
        var match = pattern.Match(text);
        return match.Success ? Unquote(match.Groups["value"].Value.Trim()) : null;
    }

    private static string RedactUserInfo(string text)
    {
        var start = text.IndexOf("://", StringComparison.Ordinal) + 3;
        var query = text.IndexOf('?', start);
        // The user information ends at the last '@' of the authority; a password may hold '@', '/' or '?' unescaped.
        var at = query < 0 ? text.LastIndexOf('@') : text.LastIndexOf('@', query);
        if (at < start)
        {
            at = text.LastIndexOf('@');
        }

        if (at < start)
        {
            return text;
        }

        var colon = text.IndexOf(':', start);
        return colon < 0 || colon > at || colon + 1 == at ? text : text[..(colon + 1)] + Mask + text[at..];
    }

    private static string StripPort(string host) =>
        host.StartsWith('[') ? host[..(host.IndexOf(']') + 1)] : host.Contains(',', StringComparison.Ordinal) ? string.Join(',', host.Split(',').Select(StripPort)) : host.Split(':')[0];

    private static string Unquote(string value) =>
        value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0] ? value[1..^1] : value;

    [GeneratedRegex(@"^[a-z][a-z0-9+.\-]*://", RegexOptions.IgnoreCase)]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"(?<key>[?&](?:password|pwd|psw)=)[^&#]*", RegexOptions.IgnoreCase)]
    private static partial Regex QueryPassword();

    [GeneratedRegex(@"[?&]host=(?<value>[^&#]*)", RegexOptions.IgnoreCase)]
    private static partial Regex QueryHost();

    [GeneratedRegex(@"(?<key>(?:^|;)\s*(?:ssl\s*)?(?:password|pwd|psw)\s*=\s*)(?<value>""(?:[^""]|"""")*""|'(?:[^']|'')*'|[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex NpgsqlPassword();

    [GeneratedRegex(@"(?<key>(?:^|\s)(?:ssl)?(?:password|pwd|psw)\s*=\s*)(?<value>'(?:[^'\\]|\\.)*'|.*?(?=\s+[A-Za-z_]+\s*=|\s*$))", RegexOptions.IgnoreCase)]
    private static partial Regex LibpqPassword();

    [GeneratedRegex(@"(?:^|;)\s*(?:host|server)\s*=\s*(?<value>""(?:[^""]|"""")*""|'(?:[^']|'')*'|[^;]*)", RegexOptions.IgnoreCase)]
    private static partial Regex NpgsqlHost();

    [GeneratedRegex(@"(?:^|\s)host\s*=\s*(?<value>'(?:[^'\\]|\\.)*'|\S*)", RegexOptions.IgnoreCase)]
    private static partial Regex LibpqHost();
}
