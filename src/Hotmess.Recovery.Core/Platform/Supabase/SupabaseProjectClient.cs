using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.Supabase;

/// <summary>
/// Checks the project's API keys against the project itself (<c>VITE_SUPABASE_URL</c>), through its API gateway.
/// The anon key must open <c>GET /auth/v1/settings</c>: that route needs nothing but a valid key, whatever the
/// database schema or the PostgREST settings, so a failure can only mean the key. The service-role key must
/// list Storage buckets (<c>GET /storage/v1/bucket</c>), which takes the key as the caller's role.
/// </summary>
public sealed class SupabaseProjectClient
{
    private readonly HttpClient _http;
    private readonly Uri _projectUrl;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    /// <param name="resilience">Retries and timeouts; the API defaults of <see cref="HttpResilienceOptions"/> when null.</param>
    public SupabaseProjectClient(HttpClient http, Uri projectUrl, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _http = http;
        _projectUrl = PlatformHttp.AsBase(projectUrl, "The Supabase URL (VITE_SUPABASE_URL)");
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("The Supabase project", resilience ?? new HttpResilienceOptions(), _log);
    }

    public async Task<SupabaseKeyCheck> CheckAnonKeyAsync(Secret key, CancellationToken cancellationToken)
    {
        var form = SupabaseKeys.FormOf(key);
        if (form is SupabaseKeyForm.LegacyServiceRole or SupabaseKeyForm.Secret)
        {
            throw new HotmessException("SupabaseAnonKeyIsServiceRole", FailureKind.InvalidArgument,
                $"The anon key {key.Masked} is {SupabaseKeys.Describe(form)}: a service-role key must never be the anon key, which browsers receive. Rotate it and set the anon key.",
                key.Masked);
        }

        using var response = await SendAsync("auth/v1/settings", key, form, cancellationToken).ConfigureAwait(false);
        return new SupabaseKeyCheck(form, "the project's Auth settings opened with it");
    }

    public async Task<SupabaseKeyCheck> CheckServiceRoleKeyAsync(Secret key, CancellationToken cancellationToken)
    {
        var form = SupabaseKeys.FormOf(key);
        if (form is SupabaseKeyForm.LegacyAnon or SupabaseKeyForm.Publishable or SupabaseKeyForm.LegacyOther)
        {
            throw new HotmessException("SupabaseServiceRoleKeyIsNotServiceRole", FailureKind.InvalidArgument,
                $"The service-role key {key.Masked} is {SupabaseKeys.Describe(form)}, not a service_role or secret key.", key.Masked);
        }

        using var response = await SendAsync("storage/v1/bucket", key, form, cancellationToken).ConfigureAwait(false);
        var buckets = 0;
        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false),
                cancellationToken: cancellationToken).ConfigureAwait(false);
            buckets = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.GetArrayLength() : 0;
        }
        catch (JsonException ex)
        {
            throw new HotmessException("SupabaseResponseInvalid", FailureKind.RemoteServiceFailed,
                $"Supabase Storage at '{_projectUrl}' listed buckets in a form it does not document: {ex.Message}", _projectUrl.ToString(), ex);
        }

        return new SupabaseKeyCheck(form, $"Storage listed {buckets} bucket(s) with it");
    }

    /// <summary>A GET through the shared pipeline (<see cref="HttpResilience"/>): retried on 429, 5xx, connection errors and timeouts.</summary>
    private async Task<HttpResponseMessage> SendAsync(string relative, Secret key, SupabaseKeyForm form, CancellationToken cancellationToken)
    {
        var uri = new Uri(_projectUrl, relative);
        HttpResponseMessage response;
        try
        {
            response = await _resilience.SendAsync(_http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, uri);
                request.Headers.Add("apikey", key.Reveal());
                if (form is not (SupabaseKeyForm.Publishable or SupabaseKeyForm.Secret))
                {
                    // Legacy keys are JWTs and go in both headers, as Supabase's own clients send them; sb_ keys only as apikey.
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Reveal());
                }

                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                return request;
            }, RetryRule.Idempotent, $"read /{relative}", cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new HotmessException("SupabaseUnreachable", FailureKind.ConnectionFailed,
                $"The Supabase project at '{_projectUrl}' cannot be reached: {ex.Message}", _projectUrl.ToString(), ex);
        }
        catch (HttpTimeoutException ex)
        {
            throw new HotmessException("SupabaseTimeout", FailureKind.Timeout,
                $"The Supabase project at '{_projectUrl}' did not answer: {ex.Message}.", _projectUrl.ToString(), ex);
        }

        _log.Verbose($"Supabase GET {uri.AbsolutePath} -> {(int)response.StatusCode}");
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var (message, bodyStatus) = await ReadErrorAsync(response, key, cancellationToken).ConfigureAwait(false);
            throw ToException(response, message, bodyStatus, key, "/" + relative);
        }
    }

    private HotmessException ToException(HttpResponseMessage response, string message, string? bodyStatus, Secret key, string path)
    {
        var http = (int)response.StatusCode;
        var what = $"Supabase answered GET {path} with {http}{(bodyStatus is null ? "" : $" (status {bodyStatus})")}: {message}";
        var target = _projectUrl.ToString();
        return (http, bodyStatus) switch
        {
            (401, _) when message.Contains("No API key", StringComparison.OrdinalIgnoreCase) =>
                new HotmessException("SupabaseKeyMissing", FailureKind.AuthenticationFailed, what, target),
            (401, _) => new HotmessException("SupabaseKeyInvalid", FailureKind.AuthenticationFailed,
                $"{what}. The project does not accept the key {key.Masked}.", key.Masked),
            (403, _) or (400, "403") => new HotmessException("SupabaseServiceRoleDenied", FailureKind.PermissionDenied,
                $"{what}. The key {key.Masked} does not carry service-role privileges.", key.Masked),
            (404, _) => new HotmessException("SupabaseProjectUrlInvalid", FailureKind.NotFound,
                $"{what}. Is '{_projectUrl}' the project's URL (VITE_SUPABASE_URL)?", target),
            (429, _) or (400, "429") => new HotmessException("SupabaseRateLimited", FailureKind.RateLimited,
                what + (HttpResilience.RetryAfter(response, _resilience.Time) is { } wait ? $" Retry after {wait.TotalSeconds:0} s." : ""), target),
            _ => new HotmessException("SupabaseServiceFailed", FailureKind.RemoteServiceFailed, what, target),
        };
    }

    /// <summary>The gateway answers <c>{"message": …}</c>; Storage adds a string <c>statusCode</c> that carries the real status.</summary>
    private static async Task<(string Message, string? BodyStatus)> ReadErrorAsync(HttpResponseMessage response, Secret key, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string message;
        string? bodyStatus = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            message = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                ? m.GetString()!
                : text;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("statusCode", out var s))
            {
                bodyStatus = s.ValueKind == JsonValueKind.String ? s.GetString() : s.ToString();
            }
        }
        catch (JsonException)
        {
            message = text.Trim().Length > 120 ? text.Trim()[..120] + "…" : text.Trim();
        }

        if (message.Length == 0)
        {
            message = response.ReasonPhrase ?? "no message";
        }

        return (message.Replace(key.Reveal(), key.Masked, StringComparison.Ordinal), bodyStatus);
    }
}

/// <summary>A key the project accepted: its form and what it opened.</summary>
public sealed record SupabaseKeyCheck(SupabaseKeyForm Form, string Detail);
