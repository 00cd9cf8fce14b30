namespace Hotmess.Recovery.DataRetention;

/// <summary>
/// Keeps a policy's SQL to one expression, so it can be put inside a statement and never end it or start another:
/// no semicolon and no comment anywhere (even inside a literal, where telling them apart would need a full SQL
/// lexer), and parentheses that balance.
/// </summary>
internal static class SqlExpressionText
{
    public static string? Problem(string expression)
    {
        if (string.IsNullOrWhiteSpace(expression))
        {
            return "it is empty.";
        }

        if (expression.Contains(';', StringComparison.Ordinal))
        {
            return "it contains ';' (write chr(59) for a semicolon in a string).";
        }

        if (expression.Contains("--", StringComparison.Ordinal) || expression.Contains("/*", StringComparison.Ordinal))
        {
            return "it contains a comment ('--' or '/*').";
        }

        var depth = 0;
        var quoted = false;
        foreach (var c in expression)
        {
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && c == '(')
            {
                depth++;
            }
            else if (!quoted && c == ')' && --depth < 0)
            {
                return "a ')' closes more than it opened.";
            }
        }

        return depth == 0 ? null : "its parentheses do not balance.";
    }
}
