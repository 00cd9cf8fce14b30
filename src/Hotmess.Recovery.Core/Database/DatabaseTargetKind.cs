namespace Hotmess.Recovery.Database;

/// <summary>What a restore goes into; <see cref="Auto"/> lets the restore tell by itself.</summary>
public enum DatabaseTargetKind
{
    /// <summary>A Supabase project when the role is no superuser and the managed schemas exist; else PostgreSQL.</summary>
    Auto,

    /// <summary>A PostgreSQL database the role may do anything in: pg_restore as the dump says.</summary>
    PostgreSQL,

    /// <summary>
    /// A Supabase-hosted database: managed schemas owned by Supabase, a <c>postgres</c> role that is no superuser.
    /// Only the user schemas' objects and the managed tables' user rows are restored.
    /// </summary>
    Supabase,
}
