using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Resend;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Checks that Resend's sending domain is verified and that a test email is delivered.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessEmailDelivery", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(EmailDeliveryResult))]
public sealed class TestHotmessEmailDeliveryCommand : HotmessCmdlet
{
    /// <summary>Where the test email goes; the first of alerting.email.to when not given.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? To { get; set; }

    /// <summary>The sending domain; the domain of -From, else the team's only domain.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Domain { get; set; }

    /// <summary>The sender; alerting.email.from, else recovery-check@ the domain.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? From { get; set; }

    /// <summary>How long to wait for the email to be delivered.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSeconds { get; set; } = 120;

    /// <summary>How often Resend is asked about the email.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int PollIntervalSeconds { get; set; } = 2;

    /// <summary>The Resend API key; RESEND_API_KEY when not given.</summary>
    [Parameter]
    public SecureString? ResendApiKey { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var key = ResolveResendApiKey(ResendApiKey);

        var to = To ?? configuration.Alerting.Email.To.FirstOrDefault();
        if (string.IsNullOrWhiteSpace(to))
        {
            ThrowArgumentError("EmailRecipientMissing", "No address to send the test email to: pass -To or set alerting.email.to in the configuration.", "To");
        }

        var request = new EmailDeliveryRequest
        {
            To = to!,
            From = From ?? configuration.Alerting.Email.From,
            Domain = Domain,
            Timeout = TimeSpan.FromSeconds(TimeoutSeconds),
            PollInterval = TimeSpan.FromSeconds(PollIntervalSeconds),
        };
        if (!ShouldProcess($"{to} through Resend ({request.Domain ?? request.From ?? "the team's domain"})", "Send a test email"))
        {
            return;
        }

        var resendUrl = new Uri(configuration.Platform.ResendApiUrl ?? "https://api.resend.com");
        EmailDeliveryResult? result = null;
        Terminating(() => result = RunEngine(async (log, token) =>
        {
            // The Resend client's own pipeline times each attempt; a whole-client timer would cut its retries short.
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var resend = new ResendClient(http, resendUrl, key, log);
            return await new EmailDeliveryCheck(resend, TimeProvider.System, log).RunAsync(request, token).ConfigureAwait(false);
        }));
        WriteObject(result);
        if (!result!.Passed)
        {
            // A runbook with ErrorAction Stop must stop here; the result above says what was found.
            WriteError(new ErrorRecord(new InvalidOperationException(result.Reason), result.ErrorId, ErrorCategory.InvalidResult, result.Domain));
        }
    }
}
