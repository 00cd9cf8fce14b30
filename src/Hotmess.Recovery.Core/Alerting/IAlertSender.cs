namespace Hotmess.Recovery.Alerting;

/// <summary>One notification channel. Throws a <see cref="Common.HotmessException"/> when the channel fails.</summary>
public interface IAlertSender
{
    AlertChannel Channel { get; }

    /// <summary>Where messages go, fit to show (no secret).</summary>
    string Target { get; }

    Task SendAsync(AlertMessage message, CancellationToken cancellationToken);
}
