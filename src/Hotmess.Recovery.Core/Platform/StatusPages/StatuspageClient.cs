using System.Text.Json;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.StatusPages;

/// <summary>How bad a provider says things are, from Atlassian Statuspage's <c>status.indicator</c>.</summary>
public enum ProviderIndicator
{
    /// <summary>The page could not be read, or is not a Statuspage page.</summary>
    Unknown,
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
}

/// <summary>
/// Reads <c>{page}/api/v2/status.json</c> of an Atlassian Statuspage page. A provider's page is outside our
/// control and may be another product altogether (HTML, 404, another JSON): every such answer, and a page that
/// cannot be reached, is reported as <see cref="ProviderIndicator.Unknown"/> with the reason, never as an error,
/// once the shared pipeline (<see cref="HttpResilience"/>) has retried 429, 5xx, connection errors and timeouts.
/// </summary>
public sealed class StatuspageClient
{
    private readonly HttpClient _http;
    private readonly IOperationLog _log;
    private readonly HttpResilience _resilience;

    /// <param name="resilience">Retries and timeouts; the API defaults of <see cref="HttpResilienceOptions"/> when null.</param>
    public StatuspageClient(HttpClient http, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
    {
        _http = http;
        _log = log ?? NullOperationLog.Instance;
        _resilience = new HttpResilience("The status page", resilience ?? new HttpResilienceOptions(), _log);
    }

    public Task<ProviderStatus> GetStatusAsync(string provider, Uri pageUrl, CancellationToken cancellationToken) =>
        ReadAsync(provider, pageUrl, "/api/v2/status.json", cancellationToken);

    /// <summary>
    /// Reads <c>{page}/api/v2/summary.json</c>: the same status, with the components that are not operational and
    /// the unresolved incidents.
    /// </summary>
    public Task<ProviderStatus> GetSummaryAsync(string provider, Uri pageUrl, CancellationToken cancellationToken) =>
        ReadAsync(provider, pageUrl, "/api/v2/summary.json", cancellationToken);

    private Task<ProviderStatus> ReadAsync(string provider, Uri pageUrl, string path, CancellationToken cancellationToken)
    {
        var url = new Uri(pageUrl.GetLeftPart(UriPartial.Path).TrimEnd('/') + path);
        return StatusPageDocument.ReadAsync(_http, _resilience, _log, provider, url, "a Statuspage page", root =>
        {
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("status", out var statusElement) || statusElement.ValueKind != JsonValueKind.Object
                || !statusElement.TryGetProperty("indicator", out var indicatorElement) || indicatorElement.ValueKind != JsonValueKind.String)
            {
                return ProviderStatus.Unknown(provider, url, "the page answered JSON without status.indicator: not a Statuspage page");
            }

            var indicatorText = indicatorElement.GetString()!;
            var indicator = Enum.TryParse<ProviderIndicator>(indicatorText, ignoreCase: true, out var parsed) && parsed != ProviderIndicator.Unknown
                ? parsed
                : ProviderIndicator.Unknown;
            var description = statusElement.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            string? pageName = null;
            DateTimeOffset? updated = null;
            if (root.TryGetProperty("page", out var page) && page.ValueKind == JsonValueKind.Object)
            {
                pageName = page.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                updated = page.TryGetProperty("updated_at", out var u) && u.ValueKind == JsonValueKind.String && DateTimeOffset.TryParse(u.GetString(),
                    System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
                    ? at
                    : null;
            }

            return new ProviderStatus(provider, indicator, description ?? indicatorText, pageName, updated, url.ToString(),
                indicator == ProviderIndicator.Unknown ? $"the page reports an indicator Statuspage does not document: '{indicatorText}'" : null)
            {
                Components = NamedItems(root, "components", c => c.TryGetProperty("status", out var s) && s.GetString() is { } text && text != "operational" ? text : null),
                Incidents = NamedItems(root, "incidents", i => i.TryGetProperty("impact", out var s) ? s.GetString() : null),
            };
        }, cancellationToken);
    }

    /// <summary>"name: detail" for each item of the array <paramref name="property"/> whose detail is not null.</summary>
    private static IReadOnlyList<string> NamedItems(JsonElement root, string property, Func<JsonElement, string?> detail)
    {
        if (!root.TryGetProperty(property, out var items) || items.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return items.EnumerateArray()
            .Where(i => i.ValueKind == JsonValueKind.Object)
            .Select(i => (Name: i.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null, Detail: detail(i)))
            .Where(i => i.Name is not null && i.Detail is not null)
            .Select(i => $"{i.Name}: {i.Detail}")
            .ToList();
    }
}


/// <summary>One provider's status as its page reports it; <see cref="Reason"/> says why it is unknown.</summary>
public sealed record ProviderStatus(
    string Provider, ProviderIndicator Indicator, string Description, string? PageName, DateTimeOffset? UpdatedAt, string Url, string? Reason)
{
    /// <summary>From a summary: components that are not operational, as "name: status".</summary>
    public IReadOnlyList<string> Components { get; init; } = [];

    /// <summary>From a summary: unresolved incidents, as "name: impact".</summary>
    public IReadOnlyList<string> Incidents { get; init; } = [];

    /// <summary>Operational means the page answered and reports no incident.</summary>
    public bool Operational => Indicator == ProviderIndicator.None;

    internal static ProviderStatus Unknown(string provider, Uri url, string reason) =>
        new(provider, ProviderIndicator.Unknown, "Unknown", null, null, url.ToString(), reason);
}
