using System.Management.Automation;
using System.Security;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.Integrations;
using Hotmess.Recovery.Platform.Resend;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Emails the user notice of an incident through Resend to every user of the database, or to the addresses given, once each.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "HotmessUserNotice", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = UsersSet)]
[OutputType(typeof(UserNoticeResult))]
public sealed class SendHotmessUserNoticeCommand : HotmessCmdlet
{
    private const string UsersSet = "Users";
    private const string ToSet = "To";

    /// <summary>The notice, as Prepare the user notice writes it (&lt;incident&gt;-user-notice.md); sent as plain text.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The database whose auth.users are the recipients; a SecureString is taken as it is.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UsersSet)]
    [SecureStringAsText]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = null!;

    /// <summary>Only users created before this moment, so a rerun meets the same users (the runbook gives the incident's start).</summary>
    [Parameter(ParameterSetName = UsersSet)]
    public DateTimeOffset? CreatedBefore { get; set; }

    /// <summary>The recipients instead of the database's users.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ToSet)]
    [ValidateNotNullOrEmpty]
    public string[] To { get; set; } = [];

    /// <summary>The incident the notice is about; it names the batches, so a rerun sends nobody a second email.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, UserNoticeSender.MaxIncidentIdLength)]
    public string IncidentId { get; set; } = null!;

    /// <summary>The subject; userNotice.subject, else the notice's first # heading.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Subject { get; set; }

    /// <summary>The sender; userNotice.from, else alerting.email.from.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? From { get; set; }

    /// <summary>Where replies go; userNotice.replyTo.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReplyTo { get; set; }

    /// <summary>The Resend API key; RESEND_API_KEY when not given.</summary>
    [Parameter]
    public SecureString? ResendApiKey { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var settings = configuration.UserNotice;
        Terminating(settings.Validate);
        var key = ResolveResendApiKey(ResendApiKey);

        var path = GetUnresolvedProviderPathFromPSPath(Path);
        if (!File.Exists(path))
        {
            ThrowArgumentError("UserNoticeFileNotFound", $"The notice file '{path}' does not exist.", path);
        }

        var text = File.ReadAllText(path);
        if (string.IsNullOrWhiteSpace(text))
        {
            ThrowArgumentError("UserNoticeEmpty", $"The notice file '{path}' is empty.", path);
        }

        var subject = Subject ?? settings.Subject ?? UserNoticeSender.Heading(text);
        if (string.IsNullOrWhiteSpace(subject))
        {
            ThrowArgumentError("UserNoticeSubjectMissing", $"No subject: pass -Subject, set userNotice.subject, or start '{path}' with a '# ' heading.", "Subject");
        }

        var from = From ?? settings.EffectiveFrom(configuration.Alerting);
        if (string.IsNullOrWhiteSpace(from))
        {
            ThrowArgumentError("UserNoticeSenderMissing", "No sender: pass -From, or set userNotice.from (or alerting.email.from) to an address of a domain verified in Resend.", "From");
        }

        var (recipients, source) = ParameterSetName == ToSet ? (GivenAddresses(), "given with -To") : (FromDatabase(configuration), "users of the database");
        var batches = UserNoticeSender.BatchCount(recipients.Count, settings.BatchSize);
        if (recipients.Count == 0)
        {
            WriteWarning($"No recipient ({source}): the notice of {IncidentId} is not sent.");
            WriteObject(new UserNoticeResult { IncidentId = IncidentId, Recipients = 0, Sent = 0, Batches = 0, Duration = TimeSpan.Zero });
            return;
        }

        if (!ShouldProcess($"{recipients.Count} recipient(s) ({source}) in {batches} batch(es), from {from}", $"Send the user notice of {IncidentId}"))
        {
            return;
        }

        var request = new UserNoticeRequest
        {
            IncidentId = IncidentId,
            From = from!,
            Subject = subject!,
            Text = text,
            ReplyTo = ReplyTo ?? settings.ReplyTo,
            Recipients = recipients,
            BatchSize = settings.BatchSize,
        };
        var resendUrl = new Uri(configuration.Platform.ResendApiUrl ?? "https://api.resend.com");
        UserNoticeResult? result = null;
        Terminating(() => result = RunEngine(async (log, token) =>
        {
            // The Resend client's own pipeline times each attempt; a whole-client timer would cut its retries short.
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var resend = new ResendClient(http, resendUrl, key, log);
            return await new UserNoticeSender(resend, TimeProvider.System, log).SendAsync(request, token).ConfigureAwait(false);
        }));
        WriteObject(result);
    }

    private IReadOnlyList<string> GivenAddresses()
    {
        IReadOnlyList<string> addresses = [];
        Terminating(() => addresses = UserNoticeRecipients.FromAddresses(To));
        return addresses;
    }

    private IReadOnlyList<string> FromDatabase(HotmessConfiguration configuration)
    {
        var connectionString = "";
        Terminating(() => connectionString = DatabaseConnectionParameters.Resolve(ConnectionString, null, configuration, WriteWarning));
        WriteVerbose($"Reading the users with a confirmed address from auth.users of {ConnectionStrings.Redact(ConnectionStrings.Parse(connectionString))}"
            + (CreatedBefore is { } before ? $", created before {before:u}." : "."));
        IReadOnlyList<string> recipients = [];
        Terminating(() => recipients = RunEngine((_, token) => UserNoticeRecipients.ReadAsync(connectionString, CreatedBefore, token)));
        WriteVerbose($"{recipients.Count} user(s) to notify.");
        return recipients;
    }
}
