using System.Text.RegularExpressions;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Resend;

namespace Hotmess.Recovery.Integrations;

/// <summary>
/// Emails a notice to every recipient, one email each (nobody sees another's address), in batches of
/// <c>POST /emails/batch</c>. Each batch carries an idempotency key made of the incident id and the batch number, so a
/// rerun after a failed batch sends the batches Resend accepted before as nothing new and goes on from the failed one;
/// within Resend's 24 hours of keeping a key, nobody gets the notice twice. Addresses are personal data: they are never
/// logged nor put in an error, only counted.
/// </summary>
public sealed partial class UserNoticeSender(ResendClient resend, TimeProvider time, IOperationLog log)
{
    private const int ProgressId = 0x554E;

    /// <summary>The longest incident id a notice can be keyed by.</summary>
    public const int MaxIncidentIdLength = 200;

    /// <summary>The key of batch <paramref name="batch"/> (from 1) of an incident's notice.</summary>
    public static string IdempotencyKey(string incidentId, int batch) => $"hotmess-user-notice/{incidentId}/{batch}";

    public static int BatchCount(int recipients, int batchSize) => (recipients + batchSize - 1) / batchSize;

    public async Task<UserNoticeResult> SendAsync(UserNoticeRequest request, CancellationToken cancellationToken)
    {
        Validate(request);
        var started = time.GetTimestamp();
        var batches = request.Recipients.Chunk(request.BatchSize).ToList();
        var tags = new List<ResendTag> { new("purpose", "user-notice"), new("incident", TagValue(request.IncidentId)) };
        var replyTo = request.ReplyTo is { Length: > 0 } reply ? new[] { reply } : null;
        var sent = 0;
        try
        {
            for (var i = 0; i < batches.Count; i++)
            {
                var number = i + 1;
                log.Progress(new OperationProgress(ProgressId, "Sending the user notice", $"batch {number} of {batches.Count}",
                    sent * 100 / request.Recipients.Count, $"{sent} of {request.Recipients.Count} sent"));
                var emails = batches[i].Select(to => new ResendEmail(request.From, [to], request.Subject)
                {
                    Text = request.Text,
                    ReplyTo = replyTo,
                    Tags = tags,
                }).ToList();
                try
                {
                    await resend.SendBatchAsync(emails, IdempotencyKey(request.IncidentId, number), cancellationToken).ConfigureAwait(false);
                }
                catch (HotmessException ex)
                {
                    throw BatchFailed(request, number, batches.Count, sent, ex);
                }

                sent += emails.Count;
                log.Verbose($"User notice batch {number} of {batches.Count}: {emails.Count} emails accepted by Resend ({sent} of {request.Recipients.Count}).");
            }
        }
        finally
        {
            log.Progress(new OperationProgress(ProgressId, "Sending the user notice", "Done", 100, Completed: true));
        }

        return new UserNoticeResult
        {
            IncidentId = request.IncidentId,
            Recipients = request.Recipients.Count,
            Sent = sent,
            Batches = batches.Count,
            Duration = time.GetElapsedTime(started),
        };
    }

    private static void Validate(UserNoticeRequest request)
    {
        // Resend takes keys of up to 256 characters: 200 for the id leaves room for the prefix and any batch number.
        if (string.IsNullOrWhiteSpace(request.IncidentId) || request.IncidentId.Length > MaxIncidentIdLength)
        {
            throw new HotmessException("UserNoticeIncidentInvalid", FailureKind.InvalidArgument,
                "The incident id names the notice's batches: give one of 1 to 200 characters.", "IncidentId");
        }

        if (request.BatchSize is < 1 or > ResendClient.BatchLimit)
        {
            throw new HotmessException("UserNoticeBatchSizeInvalid", FailureKind.InvalidArgument,
                $"A batch holds 1 to {ResendClient.BatchLimit} emails, not {request.BatchSize}.", "BatchSize");
        }

        if (string.IsNullOrWhiteSpace(request.Subject) || string.IsNullOrWhiteSpace(request.Text))
        {
            throw new HotmessException("UserNoticeEmpty", FailureKind.InvalidArgument, "The notice has no subject or no text.", "Path");
        }
    }

    /// <summary>
    /// The failure of one batch, saying what was sent and how to go on; Resend's own words are kept only with
    /// addresses masked, and its exception is not attached (its message may hold them).
    /// </summary>
    private static HotmessException BatchFailed(UserNoticeRequest request, int number, int count, int sent, HotmessException ex)
    {
        var reason = Mask(ex.Message);
        var before = number == 1 ? "No batch was sent." : $"Batches 1 to {number - 1} ({sent} recipients) were sent.";
        return ex.ErrorId == "ResendIdempotencyConflict"
            ? new HotmessException("UserNoticeChanged", FailureKind.InvalidOperation,
                $"Batch {number} of {count} of the notice of {request.IncidentId} was sent before with other content or other recipients, so Resend refuses it ({reason}). "
                + "Send the same notice file to the same recipients (-CreatedBefore keeps later sign-ups out), or, to send a new notice, use another incident id.",
                request.IncidentId)
            : new HotmessException("UserNoticeBatchFailed", ex.Kind,
                $"Batch {number} of {count} of the user notice failed: {reason} {before} Run it again with the same incident id ({request.IncidentId}): "
                + "the batches Resend accepted are not sent twice.",
                request.IncidentId);
    }

    /// <summary>The notice's first Markdown level-one heading ("# HOTMESS service restored"), the subject when none is set.</summary>
    public static string? Heading(string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("# ", StringComparison.Ordinal)) is { } line ? line[2..].Trim() : null;

    internal static string Mask(string text) => AddressPattern().Replace(text, "<address>");

    private static string TagValue(string text) => TagCharacters().Replace(text, "_") is var value && value.Length > 256 ? value[..256] : value;

    [GeneratedRegex(@"[^\s<>""'`,;:()\[\]]+@[^\s<>""'`,;:()\[\]]+")]
    private static partial Regex AddressPattern();

    [GeneratedRegex("[^A-Za-z0-9_-]")]
    private static partial Regex TagCharacters();
}
