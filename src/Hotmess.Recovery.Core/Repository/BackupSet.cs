namespace Hotmess.Recovery.Repository;

/// <summary>A complete backup set: its manifest and where it lives. This is what flows down the pipeline.</summary>
public class BackupSet
{
    public BackupSet(string repository, string path, BackupManifest manifest)
    {
        Repository = repository;
        Path = path;
        Manifest = manifest;
    }

    public string Id => Manifest.Id;

    public BackupKind Kind => Manifest.Kind;

    public string Path { get; }

    /// <summary>The repository root; lets a set found by one cmdlet be handed to another.</summary>
    public string Repository { get; }

    public DateTimeOffset StartedUtc => Manifest.StartedUtc;

    public DateTimeOffset CompletedUtc => Manifest.CompletedUtc;

    public TimeSpan Duration => CompletedUtc - StartedUtc;

    public virtual long SizeBytes => Manifest.PayloadBytes;

    public string? Source => Manifest.Source.Database is { } db ? $"{Manifest.Source.Host}:{Manifest.Source.Port}/{db}" : Manifest.Source.Project;

    public BackupManifest Manifest { get; }

    public override string ToString() => Id;
}
