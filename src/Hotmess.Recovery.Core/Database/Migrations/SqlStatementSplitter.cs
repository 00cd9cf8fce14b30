namespace Hotmess.Recovery.Database.Migrations;

/// <summary>
/// Splits a migration file into statements the way the Supabase CLI does before it records them: at a semicolon
/// outside quotes, comments, dollar-quoted bodies, parentheses and <c>BEGIN ATOMIC … END</c> bodies; each statement
/// trimmed of its semicolon and surrounding white space, and empty ones dropped.
/// </summary>
public static class SqlStatementSplitter
{
    public static IReadOnlyList<SqlStatement> Split(string sql)
    {
        var statements = new List<SqlStatement>();
        var scanner = new Scanner(sql);
        var start = 0;
        var hasCode = false;
        var parentheses = 0;
        var atomic = false;
        var caseDepth = 0;
        string? previousWord = null;
        while (scanner.Position < sql.Length)
        {
            var c = sql[scanner.Position];
            if (scanner.SkipQuotedOrComment())
            {
                // Comments are kept in the statement but do not make it one worth running.
                hasCode |= c is '\'' or '"' or '$' or '\\';
                continue;
            }

            if (char.IsLetter(c) || c == '_')
            {
                var word = scanner.ReadWord();
                hasCode = true;
                if (atomic)
                {
                    if (word.Equals("CASE", StringComparison.OrdinalIgnoreCase))
                    {
                        caseDepth++;
                    }
                    else if (word.Equals("END", StringComparison.OrdinalIgnoreCase))
                    {
                        if (caseDepth > 0)
                        {
                            caseDepth--;
                        }
                        else
                        {
                            atomic = false;
                        }
                    }
                }
                else if (word.Equals("ATOMIC", StringComparison.OrdinalIgnoreCase) && "BEGIN".Equals(previousWord, StringComparison.OrdinalIgnoreCase))
                {
                    atomic = true;
                }

                previousWord = word;
                continue;
            }

            scanner.Position++;
            if (!char.IsWhiteSpace(c))
            {
                previousWord = null;
            }

            switch (c)
            {
                case '(':
                    parentheses++;
                    hasCode = true;
                    break;
                case ')':
                    parentheses = Math.Max(0, parentheses - 1);
                    break;
                case ';' when parentheses == 0 && !atomic:
                    Add(statements, sql, start, scanner.Position, hasCode);
                    start = scanner.Position;
                    hasCode = false;
                    break;
                default:
                    hasCode |= !char.IsWhiteSpace(c);
                    break;
            }
        }

        Add(statements, sql, start, sql.Length, hasCode);
        return statements;
    }

    private static void Add(List<SqlStatement> statements, string sql, int start, int end, bool hasCode)
    {
        while (end > start && sql[end - 1] == ';')
        {
            end--;
        }

        while (start < end && char.IsWhiteSpace(sql[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(sql[end - 1]))
        {
            end--;
        }

        if (end > start)
        {
            statements.Add(new SqlStatement(sql[start..end], start, hasCode));
        }
    }

    /// <summary>Steps over the lexical elements inside which a semicolon is text.</summary>
    private sealed class Scanner(string sql)
    {
        public int Position { get; set; }

        public string ReadWord()
        {
            var start = Position;
            while (Position < sql.Length && (char.IsLetterOrDigit(sql[Position]) || sql[Position] is '_' or '$'))
            {
                Position++;
            }

            return sql[start..Position];
        }

        /// <summary>Moves past a quoted string, identifier, comment, dollar-quoted body or backslash escape starting here.</summary>
        public bool SkipQuotedOrComment()
        {
            var c = sql[Position];
            var next = Position + 1 < sql.Length ? sql[Position + 1] : '\0';
            switch (c)
            {
                case '\'' or '"':
                    SkipQuoted(c);
                    return true;
                case '-' when next == '-':
                    var newline = sql.IndexOf('\n', Position);
                    Position = newline < 0 ? sql.Length : newline + 1;
                    return true;
                case '/' when next == '*':
                    SkipBlockComment();
                    return true;
                case '\\':
                    Position = Math.Min(sql.Length, Position + 2);
                    return true;
                case '$' when DollarTag() is { } tag:
                    var close = sql.IndexOf(tag, Position + tag.Length, StringComparison.Ordinal);
                    Position = close < 0 ? sql.Length : close + tag.Length;
                    return true;
                default:
                    return false;
            }
        }

        private void SkipQuoted(char quote)
        {
            Position++;
            while (Position < sql.Length)
            {
                if (sql[Position] == quote)
                {
                    // A doubled quote is the quote itself.
                    if (Position + 1 < sql.Length && sql[Position + 1] == quote)
                    {
                        Position += 2;
                        continue;
                    }

                    Position++;
                    return;
                }

                Position++;
            }
        }

        private void SkipBlockComment()
        {
            // Block comments nest in PostgreSQL.
            var depth = 0;
            while (Position < sql.Length)
            {
                if (sql[Position] == '/' && Position + 1 < sql.Length && sql[Position + 1] == '*')
                {
                    depth++;
                    Position += 2;
                }
                else if (sql[Position] == '*' && Position + 1 < sql.Length && sql[Position + 1] == '/')
                {
                    depth--;
                    Position += 2;
                    if (depth == 0)
                    {
                        return;
                    }
                }
                else
                {
                    Position++;
                }
            }
        }

        /// <summary>The <c>$tag$</c> opening a dollar-quoted string here, or null when <c>$</c> is a parameter or part of a word.</summary>
        private string? DollarTag()
        {
            if (Position > 0 && (char.IsLetterOrDigit(sql[Position - 1]) || sql[Position - 1] == '_'))
            {
                return null;
            }

            var end = Position + 1;
            while (end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_'))
            {
                end++;
            }

            if (end >= sql.Length || sql[end] != '$' || (end > Position + 1 && char.IsDigit(sql[Position + 1])))
            {
                return null;
            }

            return sql[Position..(end + 1)];
        }
    }
}
