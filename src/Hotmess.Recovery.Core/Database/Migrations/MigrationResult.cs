namespace Hotmess.Recovery.Database.Migrations;

/// <summary>
/// One migration file and what happened to it. <see cref="RecordedName"/> is the name the database recorded for the
/// version when it differs from the file's.
/// </summary>
public sealed record MigrationResult
{
    public required string Version { get; init; }

    public required string Name { get; init; }

    public required string Path { get; init; }

    public required MigrationStatus Status { get; init; }

    public TimeSpan Duration { get; init; }

    /// <summary>Statements run (Applied), or found in the file (Failed); 0 when the file was not read.</summary>
    public int Statements { get; init; }

    public string? RecordedName { get; init; }

    public static MigrationResult For(MigrationFile file, MigrationStatus status, string? recordedName = null) => new()
    {
        Version = file.Version,
        Name = file.Name,
        Path = file.Path,
        Status = status,
        RecordedName = recordedName,
    };
}
