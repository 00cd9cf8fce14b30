namespace Hotmess.Recovery.Platform.UserFlows;

/// <summary>A critical user flow, checked: the request to send and what a working site answers.</summary>
public sealed record UserFlow(string Name, string Method, string Path, int ExpectedStatus, string? Contains, IReadOnlyDictionary<string, string> Headers);
