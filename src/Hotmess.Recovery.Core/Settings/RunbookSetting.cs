using Hotmess.Recovery.Common;

namespace Hotmess.Recovery.Settings;

/// <summary>A setting found for a runbook. The value is a <see cref="Secret"/> whatever it holds, so it never prints by accident.</summary>
public sealed record RunbookSetting(string Name, Secret Value, SettingSource Source, bool IsSecret);
