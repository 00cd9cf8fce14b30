using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.UserFlows;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Checks the site's critical user flows (pages and API routes with their expected status and content); each failed flow is a UserFlowFailed error.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "HotmessUserFlow")]
[OutputType(typeof(UserFlowResult))]
public sealed class TestHotmessUserFlowCommand : HotmessCmdlet
{
    private const int ProgressId = 0x5546;

    /// <summary>The site; platform.siteUrl (HOTMESS_SITE_URL, else https://hotmess.london) when not given.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Url")]
    public Uri? SiteUrl { get; set; }

    /// <summary>Only the flows of these names; every configured flow when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? Flow { get; set; }

    /// <summary>How long one attempt waits for an answer; a flow that gets none in two attempts fails.</summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 15;

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        IReadOnlyList<UserFlow> flows = [];
        Terminating(() => flows = UserFlowDefaults.From(configuration.UserFlows));
        WriteVerbose(configuration.UserFlows.Count == 0
            ? $"No userFlows in the configuration: checking the HOTMESS site's {flows.Count} critical flows."
            : $"{flows.Count} user flow(s) from the configuration.");
        flows = Selected(flows);

        var site = SiteUrl ?? (Uri.TryCreate(configuration.Platform.SiteUrl, UriKind.Absolute, out var configured) ? configured : null);
        if (site is null)
        {
            ThrowArgumentError("SiteUrlInvalid", $"The site URL '{configuration.Platform.SiteUrl}' is not an absolute http(s) URL; give -SiteUrl, or set platform.siteUrl or HOTMESS_SITE_URL.", configuration.Platform.SiteUrl);
        }

        var resilience = UserFlowTester.DefaultResilience with
        {
            AttemptTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
            TotalTimeout = TimeSpan.FromSeconds(TimeoutSeconds * 3),
        };
        var done = 0;
        try
        {
            foreach (var flow in flows)
            {
                WriteProgress(new ProgressRecord(ProgressId, "Testing user flows", $"{done} of {flows.Count} checked")
                {
                    CurrentOperation = $"{flow.Name}: {flow.Method} {flow.Path}",
                    PercentComplete = done * 100 / flows.Count,
                });
                UserFlowResult result = null!;
                Terminating(() => result = RunEngine(async (log, token) =>
                {
                    using var tester = new UserFlowTester(site!, resilience, log: log);
                    return await tester.CheckAsync(flow, token).ConfigureAwait(false);
                }));
                done++;
                WriteVerbose($"{result.Name}: {result.Method} {result.Url} → {result.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no answer"} in {result.Duration.TotalSeconds:0.###} s.");
                WriteObject(result);
                if (!result.Passed)
                {
                    // Non-terminating, one per flow: every flow is still checked, and a runbook with ErrorAction Stop stops.
                    WriteError(ErrorRecordFor(new HotmessException("UserFlowFailed", FailureKind.RemoteServiceFailed,
                        $"The user flow '{result.Name}' failed: {result.Method} {result.Url}: {result.Reason}.", result.Name)));
                }
            }
        }
        finally
        {
            WriteProgress(new ProgressRecord(ProgressId, "Testing user flows", "Done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private IReadOnlyList<UserFlow> Selected(IReadOnlyList<UserFlow> flows)
    {
        if (Flow is null)
        {
            return flows;
        }

        var unknown = Flow.Where(name => flows.All(f => !f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            ThrowArgumentError("UserFlowNotFound",
                $"No user flow named {string.Join(", ", unknown.Select(n => $"'{n}'"))}; the flows are {string.Join(", ", flows.Select(f => $"'{f.Name}'"))}.", unknown[0]);
        }

        return flows.Where(f => Flow.Any(name => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase))).ToList();
    }
}
