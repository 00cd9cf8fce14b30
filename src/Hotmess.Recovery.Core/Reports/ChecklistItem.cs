namespace Hotmess.Recovery.Reports;

/// <summary>One line of the plan's Backup Verification Checklist, ticked only from evidence. Null <see cref="Passed"/> = not evidenced.</summary>
public sealed record ChecklistItem(string Item, bool? Passed, string Evidence, int Level = 0);
