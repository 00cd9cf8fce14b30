namespace Hotmess.Recovery.Sandbox;

/// <summary>How <see cref="LocalPostgres"/> finds PostgreSQL and configures the throw-away server.</summary>
public sealed class LocalPostgresOptions
{
    /// <summary>
    /// Folder holding initdb, pg_ctl and psql. When empty: the HOTMESS_PG_BIN environment variable,
    /// then /usr/lib/postgresql/15/bin, then the newest /usr/lib/postgresql/*/bin.
    /// </summary>
    public string? BinDirectory { get; set; }

    /// <summary>Parent of the server's temporary folder; the system temporary folder when empty.</summary>
    public string? ParentDirectory { get; set; }

    /// <summary>How long initdb plus server start may take before giving up.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public int MaxConnections { get; set; } = 50;

    public string SharedBuffers { get; set; } = "32MB";

    /// <summary>Operating-system account that runs the server when the current process is root.</summary>
    public string ServiceAccount { get; set; } = "postgres";

    /// <summary>Further postgresql.conf settings (name → value), e.g. <c>wal_level</c> or <c>archive_mode</c>.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
}
