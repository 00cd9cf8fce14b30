using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.StatusPages;

/// <summary>
/// Reads Stripe's own status site, which is not Statuspage: <c>{page}/current/full</c> answers
/// <c>{"message": "…", "UptimeStatus": "up|degraded|down"}</c>, mapped onto Statuspage's indicators (up → none,
/// degraded → minor, down → major). As with <see cref="StatuspageClient"/>, an unreadable page is Unknown, never an error.
/// </summary>
public sealed class StripeStatusClient
{
    private readonly HttpClient _http;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    public StripeStatusClient(HttpClient http, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _http = http;
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("Stripe's status page", resilience ?? new HttpResilienceOptions(), _log);
    }

    public Task<ProviderStatus> GetStatusAsync(string provider, Uri pageUrl, CancellationToken cancellationToken)
    {
        var url = new Uri(pageUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/current/full");
        return StatusPageDocument.ReadAsync(_http, _resilience, _log, provider, url, "Stripe's status page", root =>
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("UptimeStatus", out var uptime) || uptime.ValueKind != JsonValueKind.String)
            {
                return ProviderStatus.Unknown(provider, url, "the page answered JSON without UptimeStatus: not Stripe's status page");
            }

            var text = uptime.GetString()!;
            var indicator = text.ToLowerInvariant() switch
            {
                "up" => ProviderIndicator.None,
                "degraded" => ProviderIndicator.Minor,
                "down" => ProviderIndicator.Major,
                _ => ProviderIndicator.Unknown,
            };
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return new ProviderStatus(provider, indicator, message ?? text, "Stripe", null, url.ToString(),
                indicator == ProviderIndicator.Unknown ? $"the page reports an UptimeStatus Stripe's page is not known to use: '{text}'" : null);
        }, cancellationToken);
    }
}
