namespace Hotmess.Recovery.Repository;

/// <summary>The environment part of a manifest: variable names, targets and types; values only encrypted.</summary>
public sealed class EnvironmentContents
{
}
