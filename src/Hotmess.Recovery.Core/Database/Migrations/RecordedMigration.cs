namespace Hotmess.Recovery.Database.Migrations;

/// <summary>A row of <c>supabase_migrations.schema_migrations</c>: the name is empty for rows older CLIs wrote.</summary>
public sealed record RecordedMigration(string Version, string Name);
