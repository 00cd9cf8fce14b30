namespace Hotmess.Recovery.DataRetention;

/// <summary>What a data retention rule does with the rows that are due.</summary>
public enum DataRetentionAction
{
    /// <summary>Deletes them.</summary>
    Delete,

    /// <summary>Overwrites the columns the rule's <c>set</c> names with its SQL expressions; the rows stay.</summary>
    Anonymize,

    /// <summary>Adds them up into the rule's <c>into</c> table (its <c>groupBy</c> and <c>set</c>), then deletes them.</summary>
    Aggregate,
}
