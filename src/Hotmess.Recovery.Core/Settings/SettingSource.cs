namespace Hotmess.Recovery.Settings;

/// <summary>Where a runbook setting was found.</summary>
public enum SettingSource
{
    AutomationVariable,
    Environment,
}
