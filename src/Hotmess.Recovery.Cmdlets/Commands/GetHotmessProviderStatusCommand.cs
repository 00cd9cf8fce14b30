using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Platform.StatusPages;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the providers' status from their status pages (Vercel, Supabase, Stripe by default): the Quick Reference's "Check Status" step.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessProviderStatus")]
[OutputType(typeof(ProviderStatus))]
public sealed class GetHotmessProviderStatusCommand : HotmessCmdlet
{
    /// <summary>Only these providers, by their name in monitoring.statusPages; all when not given.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[]? Provider { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var pages = configuration.Monitoring.StatusPages.ToList();
        if (Provider is not null)
        {
            foreach (var unknown in Provider.Where(p => !pages.Any(page => string.Equals(page.Key, p, StringComparison.OrdinalIgnoreCase))))
            {
                ThrowArgumentError("ProviderUnknown",
                    $"'{unknown}' has no status page in monitoring.statusPages; the providers are {string.Join(", ", pages.Select(p => p.Key))}.", unknown);
            }

            pages = pages.Where(page => Provider.Contains(page.Key, StringComparer.OrdinalIgnoreCase)).ToList();
        }

        Terminating(() =>
        {
            var statuses = RunEngine(async (log, token) =>
            {
                using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
                return await new ProviderStatusReader(http, log).ReadAsync(pages, token).ConfigureAwait(false);
            });
            foreach (var status in statuses)
            {
                WriteObject(status);
            }
        });
    }
}
