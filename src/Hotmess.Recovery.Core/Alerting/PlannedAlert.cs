namespace Hotmess.Recovery.Alerting;

/// <summary>One message for one channel, as planned before anything is sent.</summary>
public sealed record PlannedAlert(AlertChannel Channel, string Target, AlertMessage Message)
{
    /// <summary>The checks the message is about (one, or the digest's several).</summary>
    public IReadOnlyList<string> Checks => Message.Checks.Select(c => c.Check).ToList();

    public string Describe() => $"Send the {Message.Kind.ToString().ToLowerInvariant()} '{Message.Subject}' by {Channel} to {Target}";
}
