namespace Hotmess.Recovery.Drills;

/// <summary>
/// The failures a quarterly recovery drill can rehearse, each with the procedure of the plan that answers it.
/// </summary>
public enum DrillScenario
{
    /// <summary>Procedure 1: the database is lost; the newest verified database set is restored.</summary>
    DatabaseRestore,

    /// <summary>File storage is lost; the newest verified storage set is restored into scratch buckets.</summary>
    StorageRestore,

    /// <summary>Procedure 2: a deployment is broken; the drill project is rolled back to its last working deployment.</summary>
    ApplicationRollback,

    /// <summary>Procedure 3: credentials are compromised; they are set again in the drill project, which is redeployed, and every integration tested.</summary>
    CredentialRecovery,

    /// <summary>Procedure 4: everything is gone; its runbook rebuilds the platform in a new Supabase project and the drill Vercel project.</summary>
    PlatformRecovery,
}
