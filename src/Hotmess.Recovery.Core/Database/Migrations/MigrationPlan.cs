namespace Hotmess.Recovery.Database.Migrations;

/// <summary>
/// The folder's migration files against the database's history: each file with its recorded row (null when pending),
/// in version order, and the recorded versions no file has.
/// </summary>
public sealed record MigrationPlan(
    string Folder,
    IReadOnlyList<(MigrationFile File, RecordedMigration? Recorded)> Files,
    IReadOnlyList<RecordedMigration> RecordedWithoutFile)
{
    public IEnumerable<MigrationFile> Pending => Files.Where(f => f.Recorded is null).Select(f => f.File);
}
