namespace Hotmess.Recovery.Incidents;

/// <summary>The phases of the plan's Procedure 4 (complete platform recovery), in the order they run.</summary>
public enum RecoveryPhase
{
    Assess,
    Infrastructure,
    Application,
    Integrations,
    Verify,
    Communicate,
}
