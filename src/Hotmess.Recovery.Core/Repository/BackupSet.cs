using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Repository;

/// <summary>
/// A backup set: its manifest and where it lives. This is what flows down the pipeline. A set whose manifest
/// cannot be read is <see cref="BackupSetState.Damaged"/>: it keeps the id, kind and start time its folder name
/// gives, and <see cref="Problem"/> says what is wrong.
/// </summary>
public class BackupSet
{
    public BackupSet(string repository, string path, BackupManifest manifest)
    {
        Repository = repository;
        Path = path;
        Manifest = manifest;
    }

    private BackupSet(string repository, string path, BackupManifest manifest, string problem)
        : this(repository, path, manifest)
    {
        State = BackupSetState.Damaged;
        Problem = problem;
    }

    public string Id => Manifest.Id;

    public BackupKind Kind => Manifest.Kind;

    public string Path { get; }

    /// <summary>The repository root; lets a set found by one cmdlet be handed to another.</summary>
    public string Repository { get; }

    public DateTimeOffset StartedUtc => Manifest.StartedUtc;

    public DateTimeOffset CompletedUtc => Manifest.CompletedUtc;

    public TimeSpan Duration => State == BackupSetState.Complete ? CompletedUtc - StartedUtc : TimeSpan.Zero;

    public virtual long SizeBytes => Manifest.PayloadBytes;

    public string? Source => Manifest.Source.Database is { } db ? $"{Manifest.Source.Host}:{Manifest.Source.Port}/{db}" : Manifest.Source.Project;

    public BackupManifest Manifest { get; }

    public BackupSetState State { get; } = BackupSetState.Complete;

    /// <summary>Why a damaged set cannot be used; null for a complete one.</summary>
    public string? Problem { get; }

    /// <summary>Refuses a damaged set (<c>ManifestInvalid</c>) before anything reads or restores from it.</summary>
    public void EnsureUsable()
    {
        if (State == BackupSetState.Damaged)
        {
            throw new HotmessException("ManifestInvalid", FailureKind.InvalidData, Problem!, Id);
        }
    }

    /// <summary>A set whose manifest is unreadable: what its id says, and why.</summary>
    internal static BackupSet Damaged(string repository, string path, string id, BackupKind kind, DateTimeOffset startedUtc, string problem) =>
        new(repository, path, new BackupManifest { Id = id, Kind = kind, StartedUtc = startedUtc }, problem);

    public override string ToString() => Id;
}
