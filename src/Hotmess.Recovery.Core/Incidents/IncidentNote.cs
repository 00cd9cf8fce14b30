namespace Hotmess.Recovery.Incidents;

/// <summary>A line on the incident's timeline that is not a step: an observation, a decision, who was told.</summary>
public sealed record IncidentNote(DateTimeOffset TimeUtc, string Text);
