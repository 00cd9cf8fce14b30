using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Resend;

namespace Hotmess.Recovery.Integrations;

/// <summary>Where the test email goes and comes from, and how long to wait for it.</summary>
public sealed record EmailDeliveryRequest
{
    public required string To { get; init; }

    /// <summary>An address of the sending domain; <c>HotmessRecovery &lt;recovery-check@domain&gt;</c> when null.</summary>
    public string? From { get; init; }

    /// <summary>The sending domain; the domain of <see cref="From"/>, else the team's only domain, when null.</summary>
    public string? Domain { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Resend after a recovery: the sending domain is verified, and a test email to a known address is accepted and
/// reaches <c>delivered</c> (or later: opened, clicked). A bounce, a complaint, a failure or a timeout fails the check;
/// an unverified domain fails it before anything is sent. A failed check is a result with its reason, not an exception.
/// </summary>
public sealed class EmailDeliveryCheck(ResendClient resend, TimeProvider time, IOperationLog log)
{
    private const int ProgressId = 41;

    private static readonly string[] Arrived = ["delivered", "opened", "clicked"];
    private static readonly string[] Lost = ["bounced", "complained", "failed", "canceled"];

    public async Task<EmailDeliveryResult> RunAsync(EmailDeliveryRequest request, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var domains = await resend.ListDomainsAsync(cancellationToken).ConfigureAwait(false);
        var name = (request.Domain ?? DomainOf(request.From) ?? (domains.Count == 1 ? domains[0].Name : null))?.ToLowerInvariant()
            ?? throw new HotmessException("EmailDomainUnknown", FailureKind.InvalidArgument,
                $"Which sending domain to check is not known (the team has {domains.Count} domains: {string.Join(", ", domains.Select(d => d.Name))}): pass -Domain or -From, or set alerting.email.from.",
                "Domain");
        var domain = domains.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase));
        EmailDeliveryResult Result(bool passed, string reason, string? errorId, string? emailId = null, string? lastEvent = null) => new()
        {
            Domain = name,
            DomainStatus = domain?.Status ?? "not_found",
            To = request.To,
            EmailId = emailId,
            LastEvent = lastEvent,
            Passed = passed,
            Duration = time.GetElapsedTime(started),
            Reason = reason,
            ErrorId = errorId,
        };

        if (domain is null)
        {
            return Result(false, $"Resend has no domain {name} (it has {string.Join(", ", domains.Select(d => $"{d.Name} ({d.Status})"))}).", "DomainNotFound");
        }

        if (domain.Status != "verified")
        {
            return Result(false, $"The sending domain {name} is {domain.Status}, not verified: Resend refuses to send from it. Check its DNS records in Resend.", "DomainNotVerified");
        }

        var from = request.From ?? $"HotmessRecovery <recovery-check@{name}>";
        var email = new ResendEmail(from, [request.To], "HOTMESS recovery check: email delivery")
        {
            Text = $"This email checks that HOTMESS can send email again after a recovery ({time.GetUtcNow():u}). No action is needed.",
            Tags = [new ResendTag("purpose", "hotmess-recovery-check")],
        };
        var id = await resend.SendEmailAsync(email, Guid.NewGuid().ToString("N"), cancellationToken).ConfigureAwait(false);
        log.Verbose($"Resend accepted the test email {id} from {from} to {request.To}; waiting for it to be delivered.");
        var deadline = time.GetUtcNow() + request.Timeout;
        string? lastEvent = null;
        while (true)
        {
            lastEvent = (await resend.GetEmailAsync(id, cancellationToken).ConfigureAwait(false)).LastEvent;
            if (lastEvent is not null && Arrived.Contains(lastEvent))
            {
                return Result(true, $"The test email {id} from {name} to {request.To} was {lastEvent}.", null, id, lastEvent);
            }

            if (lastEvent is not null && Lost.Contains(lastEvent))
            {
                return Result(false, $"The test email {id} to {request.To} was {lastEvent}.", "EmailNotDelivered", id, lastEvent);
            }

            log.Verbose($"Email {id}: {lastEvent ?? "no event yet"}.");
            if (time.GetUtcNow() + request.PollInterval > deadline)
            {
                return Result(false, $"The test email {id} to {request.To} was not delivered within {request.Timeout.TotalSeconds:0} s (last event: {lastEvent ?? "none"}).",
                    "EmailNotDelivered", id, lastEvent);
            }

            var left = deadline - time.GetUtcNow();
            log.Progress(new OperationProgress(ProgressId, "Waiting for the test email to be delivered", lastEvent ?? "no event yet",
                (int)Math.Clamp(100 - (left / request.Timeout * 100), 0, 99), $"{left.TotalSeconds:0} s left"));
            await Task.Delay(request.PollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The domain of <c>a@b.c</c> or <c>Name &lt;a@b.c&gt;</c>.</summary>
    internal static string? DomainOf(string? address)
    {
        if (string.IsNullOrWhiteSpace(address) || address.LastIndexOf('@') is var at && at < 0)
        {
            return null;
        }

        return address[(at + 1)..].Trim().TrimEnd('>').Trim();
    }
}
