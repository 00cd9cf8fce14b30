using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Storage;

/// <summary>What a storage restore did, object by object in summary, and what listing the target back confirmed.</summary>
public sealed class StorageRestoreResult
{
    public string SetId { get; init; } = "";

    /// <summary>The Storage API restored into.</summary>
    public string Target { get; init; } = "";

    public DateTimeOffset StartedUtc { get; init; }

    public DateTimeOffset CompletedUtc { get; set; }

    public TimeSpan Duration => CompletedUtc - StartedUtc;

    /// <summary>Buckets the restore covered.</summary>
    public List<string> Buckets { get; init; } = new();

    /// <summary>Buckets that were missing and were created with the settings the set recorded.</summary>
    public List<string> CreatedBuckets { get; init; } = new();

    /// <summary>Objects of the set selected by -Bucket and -Prefix.</summary>
    public int ObjectCount { get; set; }

    public long TotalBytes { get; set; }

    public int UploadedCount { get; set; }

    public long UploadedBytes { get; set; }

    /// <summary>Objects already in the target with the same content: left as they are.</summary>
    public int SkippedCount { get; set; }

    /// <summary>Objects already in the target with different content, left alone because -Force was not given.</summary>
    public List<string> Conflicts { get; init; } = new();

    public List<StorageRestoreFailure> Failures { get; init; } = new();

    /// <summary>Selected objects that the listing after the restore shows with the set's size.</summary>
    public int VerifiedCount { get; set; }

    /// <summary>True when every selected object is in the target as the set holds it.</summary>
    public bool Complete => VerifiedCount == ObjectCount && Conflicts.Count == 0 && Failures.Count == 0;
}

/// <summary>One object the restore could not put in place, with the error that says why.</summary>
public sealed record StorageRestoreFailure(string Object, string ErrorId, FailureKind Kind, string Message)
{
    public HotmessException ToException() => new(ErrorId, Kind, Message, Object);
}
