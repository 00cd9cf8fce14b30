namespace Hotmess.Recovery.Database;

/// <summary>Something of the dump a restore left out on purpose, or could not restore, and why.</summary>
public sealed record RestoreSkip(string Kind, string Name, string Reason);
