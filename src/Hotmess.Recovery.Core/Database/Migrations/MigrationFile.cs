using System.Text;
using System.Text.RegularExpressions;

namespace Hotmess.Recovery.Database.Migrations;

/// <summary>
/// A migration file <c>&lt;version&gt;_&lt;name&gt;.sql</c>: the version is the numeric prefix and the name the rest,
/// as the Supabase CLI reads them; its statements are read when it is applied.
/// </summary>
public sealed partial class MigrationFile
{
    private MigrationFile(string path, string version, string name)
    {
        Path = path;
        Version = version;
        Name = name;
    }

    public string Path { get; }

    public string Version { get; }

    public string Name { get; }

    public string FileName => System.IO.Path.GetFileName(Path);

    /// <summary>The file at <paramref name="path"/>, or null when its name is not <c>&lt;version&gt;_&lt;name&gt;.sql</c>.</summary>
    public static MigrationFile? FromPath(string path)
    {
        var match = FileNamePattern().Match(System.IO.Path.GetFileName(path));
        return match.Success ? new MigrationFile(path, match.Groups[1].Value, match.Groups[2].Value) : null;
    }

    /// <summary>The file's text (UTF-8, without a byte order mark) and its statements.</summary>
    public (string Text, IReadOnlyList<SqlStatement> Statements) Read()
    {
        var text = File.ReadAllText(Path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }

        return (text, SqlStatementSplitter.Split(text));
    }

    public override string ToString() => FileName;

    [GeneratedRegex(@"^([0-9]+)_(.*)\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex FileNamePattern();
}
