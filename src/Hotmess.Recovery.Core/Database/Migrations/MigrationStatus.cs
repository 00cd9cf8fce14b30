namespace Hotmess.Recovery.Database.Migrations;

/// <summary>What happened to one migration file.</summary>
public enum MigrationStatus
{
    /// <summary>Run and recorded in this run.</summary>
    Applied,

    /// <summary>Its version was already recorded; not run again.</summary>
    AlreadyApplied,

    /// <summary>Not recorded and not run (-WhatIf, or not confirmed).</summary>
    Pending,

    /// <summary>Run and rolled back: nothing of it, nor its record, remains.</summary>
    Failed,
}
