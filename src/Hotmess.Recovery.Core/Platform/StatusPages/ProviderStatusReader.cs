using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Http;

namespace Hotmess.Recovery.Platform.StatusPages;

/// <summary>
/// Reads each configured provider's page with the reader its page needs: Stripe's own status site for the provider
/// named Stripe, Statuspage's <c>summary.json</c> for every other.
/// </summary>
public sealed class ProviderStatusReader(HttpClient http, IOperationLog? log = null, HttpResilienceOptions? resilience = null)
{
    private readonly StatuspageClient _statuspage = new(http, log, resilience);
    private readonly StripeStatusClient _stripe = new(http, log, resilience);

    /// <summary>The providers in the order given, read at once; a page that is not an http(s) URL is Unknown.</summary>
    public async Task<IReadOnlyList<ProviderStatus>> ReadAsync(IEnumerable<KeyValuePair<string, string>> pages, CancellationToken cancellationToken)
    {
        var reads = pages.Select(page => ReadOneAsync(page.Key, page.Value, cancellationToken)).ToList();
        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    private Task<ProviderStatus> ReadOneAsync(string provider, string page, CancellationToken cancellationToken)
    {
        if (PlatformHttp.TryParse(page) is not { } url)
        {
            return Task.FromResult(new ProviderStatus(provider, ProviderIndicator.Unknown, "Unknown", null, null, page,
                $"'{page}' in monitoring.statusPages is not an http(s) URL"));
        }

        return string.Equals(provider, "Stripe", StringComparison.OrdinalIgnoreCase)
            ? _stripe.GetStatusAsync(provider, url, cancellationToken)
            : _statuspage.GetSummaryAsync(provider, url, cancellationToken);
    }
}
