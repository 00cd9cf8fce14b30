using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.StatusPages;

/// <summary>
/// Reads one public status document as JSON: a page that cannot be reached, answers an error or does not answer JSON
/// is an Unknown status with the reason, never an error, so one provider's page never stops a check of the others.
/// </summary>
internal static class StatusPageDocument
{
    /// <param name="pageKind">What the page should be, for the reason when it is not: "a Statuspage page".</param>
    /// <param name="read">Turns the document's root into the status.</param>
    public static async Task<ProviderStatus> ReadAsync(HttpClient http, HttpResilience resilience, IOperationLog log, string provider, Uri url,
        string pageKind, Func<JsonElement, ProviderStatus> read, CancellationToken cancellationToken)
    {
        // A public page read without credentials: http:// is allowed here.
        string body;
        try
        {
            using var response = await resilience.SendAsync(http, () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.UserAgent.ParseAdd(PlatformHttp.UserAgent);
                request.Headers.Accept.ParseAdd("application/json");
                return request;
            }, RetryRule.Idempotent, $"read {provider}'s status", cancellationToken).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            log.Verbose($"{provider} status GET {url} -> {status}");
            if (!response.IsSuccessStatusCode)
            {
                return ProviderStatus.Unknown(provider, url, $"the status page answered {status}");
            }

            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            return ProviderStatus.Unknown(provider, url, $"the status page cannot be reached: {ex.Message}");
        }
        catch (HttpTimeoutException ex)
        {
            return ProviderStatus.Unknown(provider, url, $"the status page did not answer: {ex.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return read(document.RootElement);
        }
        catch (JsonException)
        {
            return ProviderStatus.Unknown(provider, url, $"the page did not answer JSON: not {pageKind}");
        }
    }
}
