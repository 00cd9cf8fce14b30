using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Resend;

/// <summary>
/// The Resend REST API (<c>https://api.resend.com</c> or the configured base): checks a key, lists domains
/// (<c>has_more</c> + <c>after</c>), sends an email or a batch of them. Errors are <c>{statusCode, name, message}</c>. Every request
/// goes through the shared pipeline (<see cref="HttpResilience"/>) as idempotent: the reads, and <c>POST /emails</c> and
/// <c>POST /emails/batch</c> because they always carry an <c>Idempotency-Key</c> (Resend sends a repeated key's email once). What is still
/// failing when the attempts run out is reported (<c>ResendRateLimited</c>, <c>ResendServiceFailed</c>, …).
/// </summary>
public sealed class ResendClient
{
    /// <summary>The most emails one <c>POST /emails/batch</c> takes.</summary>
    public const int BatchLimit = 100;

    private const int PageSize = 100;
    private readonly HttpClient _http;
    private readonly Uri _baseUrl;
    private readonly Secret _apiKey;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    /// <param name="resilience">Retries and timeouts; the API defaults of <see cref="HttpResilienceOptions"/> when null.</param>
    public ResendClient(HttpClient http, Uri baseUrl, Secret apiKey, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _http = http;
        _baseUrl = PlatformHttp.AsBase(baseUrl, "The Resend API URL (RESEND_API_URL)");
        _apiKey = apiKey;
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("Resend", resilience ?? new HttpResilienceOptions(), _log);
    }

    /// <summary>
    /// Proves the key with <c>GET /domains</c>. A sending-only key is refused there with
    /// <c>restricted_api_key</c>, which still proves Resend knows the key; it is reported as such.
    /// </summary>
    public async Task<ResendKeyCheck> CheckKeyAsync(CancellationToken cancellationToken)
    {
        try
        {
            var domains = await ListDomainsAsync(cancellationToken).ConfigureAwait(false);
            return new ResendKeyCheck(FullAccess: true, domains);
        }
        catch (HotmessException ex) when (ex.ErrorId == "ResendKeyRestricted")
        {
            return new ResendKeyCheck(FullAccess: false, []);
        }
    }

    /// <summary>Every domain of the team, following <c>has_more</c> / <c>after</c> past the first page.</summary>
    public async Task<IReadOnlyList<ResendDomain>> ListDomainsAsync(CancellationToken cancellationToken)
    {
        var domains = new List<ResendDomain>();
        string? after = null;
        while (true)
        {
            var query = $"domains?limit={PageSize}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
            using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, query)), "list domains", cancellationToken).ConfigureAwait(false);
            var page = await ReadJsonAsync<ResendList<ResendDomain>>(response, cancellationToken).ConfigureAwait(false);
            domains.AddRange(page.Data);
            if (!page.HasMore || page.Data.Count == 0)
            {
                return domains;
            }

            after = page.Data[^1].Id;
        }
    }

    /// <summary>
    /// Sends one email (<c>POST /emails</c>). The idempotency key makes a retried call send it once only;
    /// Resend keeps it for 24 hours.
    /// </summary>
    public async Task<string> SendEmailAsync(ResendEmail email, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        if (idempotencyKey.Length > 256)
        {
            throw new HotmessException("ResendIdempotencyKeyInvalid", FailureKind.InvalidArgument,
                "A Resend idempotency key is at most 256 characters long.", idempotencyKey);
        }

        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "emails"))
            {
                Content = JsonContent.Create(email, options: WireJson),
            };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            return request;
        }, "send an email", cancellationToken).ConfigureAwait(false);
        var sent = await ReadJsonAsync<SentEmail>(response, cancellationToken).ConfigureAwait(false);
        return sent.Id ?? throw new HotmessException("ResendResponseInvalid", FailureKind.RemoteServiceFailed,
            "Resend accepted the email but returned no id.", _baseUrl.ToString());
    }

    /// <summary>
    /// Sends up to <see cref="BatchLimit"/> emails in one request (<c>POST /emails/batch</c>), all or none: Resend
    /// validates the whole batch first. The idempotency key makes a retried or repeated batch send nothing new as long
    /// as its body is the same (Resend keeps the key for 24 hours); the same key with another body is refused
    /// (<c>ResendIdempotencyConflict</c>). Returns the ids Resend gave, in the order of <paramref name="emails"/>.
    /// </summary>
    public async Task<IReadOnlyList<string>> SendBatchAsync(IReadOnlyList<ResendEmail> emails, string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emails);
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        if (emails.Count is 0 or > BatchLimit)
        {
            throw new HotmessException("ResendBatchSizeInvalid", FailureKind.InvalidArgument,
                $"A Resend batch holds 1 to {BatchLimit} emails, not {emails.Count}.", "emails");
        }

        if (idempotencyKey.Length > 256)
        {
            throw new HotmessException("ResendIdempotencyKeyInvalid", FailureKind.InvalidArgument,
                "A Resend idempotency key is at most 256 characters long.", idempotencyKey);
        }

        using var response = await SendAsync(() =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_baseUrl, "emails/batch"))
            {
                Content = JsonContent.Create(emails, options: WireJson),
            };
            request.Headers.Add("Idempotency-Key", idempotencyKey);
            return request;
        }, "send a batch of emails", cancellationToken).ConfigureAwait(false);
        var sent = await ReadJsonAsync<SentBatch>(response, cancellationToken).ConfigureAwait(false);
        if (sent.Data is not { } data || data.Count != emails.Count || data.Any(e => string.IsNullOrEmpty(e.Id)))
        {
            throw new HotmessException("ResendResponseInvalid", FailureKind.RemoteServiceFailed,
                $"Resend accepted a batch of {emails.Count} emails but returned {sent.Data?.Count ?? 0} ids.", _baseUrl.ToString());
        }

        return data.Select(e => e.Id!).ToList();
    }

    /// <summary><c>GET /emails/{id}</c>: the email as Resend knows it, with its <c>last_event</c> (sent, delivered, bounced, …).</summary>
    public async Task<ResendEmailStatus> GetEmailAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, new Uri(_baseUrl, "emails/" + Uri.EscapeDataString(id))),
            "read an email", cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync<ResendEmailStatus>(response, cancellationToken).ConfigureAwait(false);
    }

    private static readonly JsonSerializerOptions WireJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> createRequest, string operation, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _resilience.SendAsync(_http, () =>
            {
                var request = createRequest();
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey.Reveal());
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, RetryRule.Idempotent, operation, cancellationToken, IsSpentQuotaAsync).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("ResendUnreachable", FailureKind.ConnectionFailed,
                $"Resend at '{_baseUrl}' cannot be reached: {ex.Message}", _baseUrl.ToString(), ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("ResendTimeout", FailureKind.Timeout,
                $"Resend at '{_baseUrl}' did not answer: {ex.Message}.", _baseUrl.ToString(), ex);
        }

        _log.Verbose($"Resend {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} -> {(int)response.StatusCode}");
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw ToException(response.StatusCode, error, HttpResilience.RetryAfter(response, _resilience.Time));
        }
    }

    /// <summary>A 429 for a spent daily or monthly quota: no wait of seconds will lift it.</summary>
    private async Task<bool> IsSpentQuotaAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.TooManyRequests
        && (await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false)).Name is "daily_quota_exceeded" or "monthly_quota_exceeded";

    private async Task<ResendError> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var error = JsonSerializer.Deserialize<ResendError>(text, WireJson);
            if (error?.Name is not null)
            {
                return error with { Message = Redact(error.Message) };
            }
        }
        catch (JsonException)
        {
            // Not Resend's own error body (a proxy's page, Cloudflare's "error code: 1010"): described below.
        }

        var snippet = text.Length > 120 ? text[..120] + "…" : text;
        return new ResendError((int)response.StatusCode, "non_json_response", Redact(snippet.Trim()));
    }

    private HotmessException ToException(HttpStatusCode status, ResendError error, TimeSpan? retryAfter)
    {
        var code = (int)status;
        var what = $"Resend refused the request ({code} {error.Name}): {error.Message}";
        var target = _baseUrl.ToString();
        return (code, error.Name) switch
        {
            (401, "missing_api_key") => new HotmessException("ResendKeyMissing", FailureKind.AuthenticationFailed, what, target),
            (401, "restricted_api_key") => new HotmessException("ResendKeyRestricted", FailureKind.PermissionDenied,
                $"{what}. The key {_apiKey.Masked} may only send emails.", _apiKey.Masked),
            (403, "invalid_api_key") or (401, _) => new HotmessException("ResendKeyInvalid", FailureKind.AuthenticationFailed,
                $"{what}. Resend does not accept the key {_apiKey.Masked}.", _apiKey.Masked),
            (403, "non_json_response") => new HotmessException("ResendRequestBlocked", FailureKind.PermissionDenied,
                $"{what}. Resend's edge blocked the request (it needs a User-Agent header).", target),
            (403, _) or (400, _) or (422, _) => new HotmessException("ResendRequestInvalid", FailureKind.InvalidArgument, what, target),
            (404, _) => new HotmessException("ResendNotFound", FailureKind.NotFound, what, target),
            (409, _) => new HotmessException("ResendIdempotencyConflict", FailureKind.InvalidOperation, what, target),
            (429, _) => new HotmessException("ResendRateLimited", FailureKind.RateLimited,
                what + (retryAfter is { } wait ? $" Retry after {wait.TotalSeconds:0} s." : ""), target),
            _ => new HotmessException("ResendServiceFailed", FailureKind.RemoteServiceFailed, what, target),
        };
    }

    private static async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(WireJson, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException("The body is empty.");
        }
        catch (JsonException ex)
        {
            throw new HotmessException("ResendResponseInvalid", FailureKind.RemoteServiceFailed,
                $"Resend answered {(int)response.StatusCode} with a body that is not what its API documents: {ex.Message}",
                response.RequestMessage?.RequestUri?.ToString(), ex);
        }
    }

    private string Redact(string text) => text.Replace(_apiKey.Reveal(), _apiKey.Masked, StringComparison.Ordinal);

    private sealed record ResendError([property: JsonPropertyName("statusCode")] int StatusCode, string Name, string Message);

    private sealed record ResendList<T>(List<T> Data, bool HasMore);

    private sealed record SentEmail(string? Id);

    private sealed record SentBatch(List<SentEmail>? Data);
}

/// <summary>What a key check found: a full-access key lists the team's domains; a sending-only key lists none.</summary>
public sealed record ResendKeyCheck(bool FullAccess, IReadOnlyList<ResendDomain> Domains);

/// <summary>An email as <c>GET /emails/{id}</c> returns it; <see cref="LastEvent"/> is null until Resend records one.</summary>
public sealed record ResendEmailStatus(string Id, string? LastEvent, string? CreatedAt);

public sealed record ResendDomain(string Id, string Name, string? Status, string? Region, string? CreatedAt);

/// <summary>The fields of <c>POST /emails</c> that HotmessRecovery sends.</summary>
public sealed record ResendEmail(string From, IReadOnlyList<string> To, string Subject)
{
    public string? Text { get; init; }

    public string? Html { get; init; }

    public IReadOnlyList<string>? ReplyTo { get; init; }

    public IReadOnlyList<ResendTag>? Tags { get; init; }
}

public sealed record ResendTag(string Name, string Value);
