namespace Hotmess.Recovery.Database.Migrations;

/// <summary>
/// One statement of a migration file as <c>supabase db push</c> records it: the text up to its semicolon, trimmed,
/// comments kept. <see cref="Offset"/> is where the text starts in the file, to turn an error position into a line.
/// </summary>
public sealed record SqlStatement(string Text, int Offset, bool HasCode);
