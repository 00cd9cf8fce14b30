namespace Hotmess.Recovery.Sandbox;

/// <summary>Quoting for names and values spliced into SQL text.</summary>
public static class SqlText
{
    /// <summary>A double-quoted identifier: <c>User</c> → <c>"User"</c>.</summary>
    public static string Identifier(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('\0'))
        {
            throw new ArgumentException("An identifier cannot contain a NUL character.", nameof(name));
        }

        return "\"" + name.Replace("\"", "\"\"") + "\"";
    }

    /// <summary>A single-quoted string literal, safe with standard_conforming_strings on (the default).</summary>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Contains('\0'))
        {
            throw new ArgumentException("A string literal cannot contain a NUL character.", nameof(value));
        }

        return "'" + value.Replace("'", "''") + "'";
    }
}
