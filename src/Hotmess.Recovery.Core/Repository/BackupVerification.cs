namespace Hotmess.Recovery.Repository;

/// <summary>
/// The result of checking one backup set: each check with what was expected and what was found.
/// Stored under <c>verifications/&lt;setId&gt;/</c>; the manifest itself stays immutable.
/// </summary>
public sealed class BackupVerification
{
    public string SetId { get; set; } = "";

    public BackupKind Kind { get; set; }

    public string Repository { get; set; } = "";

    public DateTimeOffset StartedUtc { get; set; }

    public DateTimeOffset CompletedUtc { get; set; }

    /// <summary>True only when every check passed; a verification with no check never passes.</summary>
    public bool Passed => Checks.Count > 0 && Checks.TrueForAll(c => c.Passed);

    /// <summary>Whether the set was restored into a scratch database (or bucket) and compared, not only hashed.</summary>
    public bool Restored { get; set; }

    public string? RestoreTarget { get; set; }

    public TimeSpan? RestoreDuration { get; set; }

    public string PerformedBy { get; set; } = System.Environment.UserName;

    public List<VerificationCheck> Checks { get; set; } = new();

    /// <summary>The manifest of the set, so a report can be written from the verification alone.</summary>
    public BackupManifest? Manifest { get; set; }

    /// <summary>Where this verification was recorded, once saved.</summary>
    public string? RecordPath { get; set; }

    /// <summary>The verification of a set whose manifest cannot be read: it fails, and says why.</summary>
    public static BackupVerification ForDamagedSet(BackupSet set)
    {
        var now = DateTimeOffset.UtcNow;
        var verification = new BackupVerification { SetId = set.Id, Kind = set.Kind, Repository = set.Repository, StartedUtc = now, CompletedUtc = now };
        verification.Add("Manifest", false, "a readable manifest of this set", "damaged", "Files", set.Problem);
        return verification;
    }

    public VerificationCheck Add(string name, bool passed, string? expected, string? actual, string? category = null, string? detail = null)
    {
        var check = new VerificationCheck(name, passed, expected, actual, category, detail);
        Checks.Add(check);
        return check;
    }
}

/// <summary>One check. <see cref="Category"/> groups checks for the report (Files, Tables, Recency, Size, Objects).</summary>
public sealed record VerificationCheck(string Name, bool Passed, string? Expected, string? Actual, string? Category = null, string? Detail = null);
