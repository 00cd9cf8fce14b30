using System.Text.Json.Serialization;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// What a backup set holds, written last (by atomic rename) into <c>sets/&lt;id&gt;/manifest.json</c>.
/// A set without a manifest is incomplete and is never listed; one whose manifest cannot be read is listed as damaged.
/// </summary>
public sealed class BackupManifest
{
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; set; } = CurrentFormatVersion;

    public string Id { get; set; } = "";

    public BackupKind Kind { get; set; }

    public DateTimeOffset StartedUtc { get; set; }

    public DateTimeOffset CompletedUtc { get; set; }

    public BackupSource Source { get; set; } = new();

    /// <summary>Name and version of every tool that wrote the set (pg_dump, the module).</summary>
    public Dictionary<string, string> Tools { get; set; } = new();

    /// <summary>Every payload file, relative to the set folder, with '/' separators.</summary>
    public List<PayloadFile> Files { get; set; } = new();

    /// <summary>
    /// What this kind of set records beyond its files (<see cref="DatabaseContents"/>, <see cref="StorageContents"/>,
    /// …), of the type its kind registers in <see cref="BackupKinds"/>. Written under the kind's name (<c>"database": {…}</c>).
    /// </summary>
    [JsonIgnore]
    public object? Contents { get; set; }

    /// <summary>The contents of a database set; a shorthand for <see cref="Contents"/>.</summary>
    [JsonIgnore]
    public DatabaseContents? Database
    {
        get => Contents as DatabaseContents;
        set => Contents = value;
    }

    /// <summary>The contents of a storage set; a shorthand for <see cref="Contents"/>.</summary>
    [JsonIgnore]
    public StorageContents? Storage
    {
        get => Contents as StorageContents;
        set => Contents = value;
    }

    /// <summary>The contents of an environment set; a shorthand for <see cref="Contents"/>.</summary>
    [JsonIgnore]
    public EnvironmentContents? Environment
    {
        get => Contents as EnvironmentContents;
        set => Contents = value;
    }

    public long PayloadBytes => Files.Sum(f => f.Size);
}

public sealed class BackupSource
{
    public string? Host { get; set; }

    public int? Port { get; set; }

    public string? Database { get; set; }

    public string? User { get; set; }

    public string? ServerVersion { get; set; }

    /// <summary>The Supabase project ref or URL, or the Vercel project.</summary>
    public string? Project { get; set; }
}

public sealed record PayloadFile(string Path, long Size, string Sha256);
