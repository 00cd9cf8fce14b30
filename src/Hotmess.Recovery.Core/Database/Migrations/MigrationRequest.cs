namespace Hotmess.Recovery.Database.Migrations;

/// <summary>Which folder of migration files to apply to which database.</summary>
public sealed record MigrationRequest
{
    public required string ConnectionString { get; init; }

    /// <summary>The folder holding <c>&lt;version&gt;_&lt;name&gt;.sql</c> files, such as <c>supabase/migrations</c>.</summary>
    public required string Folder { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
