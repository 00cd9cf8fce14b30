namespace Hotmess.Recovery.Repository;

/// <summary>
/// A log set: the Supabase project's log rows of [<see cref="RangeStartUtc"/>, <see cref="RangeEndUtc"/>), one
/// newline-delimited JSON file per source, one row per line as the analytics endpoint returned it. The next log
/// backup starts at this set's end, so consecutive sets leave no gap and share no row.
/// </summary>
public sealed class LogContents
{
    public string Project { get; set; } = "";

    public DateTimeOffset RangeStartUtc { get; set; }

    public DateTimeOffset RangeEndUtc { get; set; }

    public List<LogSourceContents> Sources { get; set; } = new();
}

public sealed class LogSourceContents
{
    /// <summary>The log source, e.g. <c>auth_logs</c> or <c>edge_logs</c> (the API gateway).</summary>
    public string Name { get; set; } = "";

    public string File { get; set; } = "";

    public long Rows { get; set; }

    public DateTimeOffset? FirstUtc { get; set; }

    public DateTimeOffset? LastUtc { get; set; }
}
