using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Builds HOTMESS from its Git repository as a new Vercel deployment, waits until it is READY and, with -Production, serving the site.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "HotmessDeployment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(GitDeploymentResult))]
public sealed class NewHotmessDeploymentCommand : VercelCmdlet
{
    /// <summary>The branch, tag or commit to build; the project's production branch (else main) when not given.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? GitRef { get; set; }

    /// <summary>Deploy to production (the equivalent of vercel --prod); a preview deployment otherwise.</summary>
    [Parameter]
    public SwitchParameter Production { get; set; }

    /// <summary>How long the build may take.</summary>
    [Parameter]
    [ValidateRange(1, 240)]
    public int TimeoutMinutes { get; set; } = 20;

    /// <summary>The longest pause between two status polls.</summary>
    [Parameter]
    [ValidateRange(1, 300)]
    public int PollIntervalSeconds { get; set; } = 5;

    /// <summary>Do not check the site's /api/health afterwards.</summary>
    [Parameter]
    public SwitchParameter SkipHealthCheck { get; set; }

    /// <summary>The site whose /api/health is checked; the configuration, HOTMESS_SITE_URL, or https://hotmess.london.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SiteUrl { get; set; }

    /// <summary>How long to wait for production to point at the deployment and for the site to answer healthy.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int HealthCheckTimeoutSeconds { get; set; } = 120;

    protected override void ProcessRecord()
    {
        var settings = VercelSettings;
        var pollInterval = TimeSpan.FromSeconds(PollIntervalSeconds);
        var plan = Run(settings, pollInterval, (client, log, token) => new GitDeployment(client, null, log).PlanAsync(GitRef, Production, token));
        if (!ShouldProcess($"{plan.Link.Type} {plan.Link.Repository} at '{plan.GitRef}' in Vercel project '{plan.Project.Name ?? plan.Project.Id}'",
                plan.IsProduction ? "Deploy to production" : "Deploy a preview"))
        {
            return;
        }

        var options = new GitDeploymentOptions
        {
            Timeout = TimeSpan.FromMinutes(TimeoutMinutes),
            ServingTimeout = TimeSpan.FromSeconds(HealthCheckTimeoutSeconds),
            SkipHealthCheck = SkipHealthCheck,
        };
        using var site = SkipHealthCheck ? null : CreateSiteHealthClient(SiteUrl);
        var result = Run(settings, pollInterval, (client, log, token) => new GitDeployment(client, site, log).ExecuteAsync(plan, options, token));
        WriteObject(result);
        if (result.Healthy == false)
        {
            // After the object, so a caller keeps it; a runbook with ErrorAction Stop stops here.
            WriteError(ErrorRecordFor(new HotmessException("DeploymentSiteUnhealthy", FailureKind.RemoteServiceFailed,
                $"Deployment {result.Id} serves production but {result.HealthUrl} is unhealthy ({result.HealthDetail}).", result.Id)));
        }
    }

    private T Run<T>(VercelSettings settings, TimeSpan pollInterval, Func<VercelClient, IOperationLog, CancellationToken, Task<T>> work)
    {
        T result = default!;
        Terminating(() => result = RunEngine(async (log, token) =>
        {
            using var client = new VercelClient(settings, log) { MaxPollInterval = pollInterval };
            return await work(client, log, token).ConfigureAwait(false);
        }));
        return result;
    }
}
