namespace Hotmess.Recovery.Alerting;

/// <summary>One row of the plan's Emergency Contacts table.</summary>
public sealed record EmergencyContact(string Role, string Contact, string Availability);
