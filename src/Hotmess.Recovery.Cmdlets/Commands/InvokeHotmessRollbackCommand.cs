using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Rolls HOTMESS production back to an earlier Vercel deployment and checks the site's health.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HotmessRollback", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RollbackResult))]
public sealed class InvokeHotmessRollbackCommand : VercelCmdlet
{
    /// <summary>The production deployment to roll back to; by default the newest READY one older than the current one.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? DeploymentId { get; set; }

    /// <summary>How long to wait for Vercel to finish the rollback.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>How long to wait for the site to answer healthy afterwards.</summary>
    [Parameter]
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The site whose /api/health is checked; the configuration, HOTMESS_SITE_URL, or https://hotmess.london.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SiteUrl { get; set; }

    /// <summary>Rolls back without asking; -WhatIf still only reports.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        var plan = RunVercel((client, log, token) => new ApplicationRollback(client, null, log).PlanAsync(DeploymentId, token));
        var target = $"Vercel project '{plan.Project.Name ?? plan.Project.Id}' production: {Describe(plan.From)} -> {Describe(plan.To)}";
        if (!ShouldProcessUnlessForced(Force, target, "Roll back production"))
        {
            return;
        }

        var options = new RollbackOptions { Timeout = Timeout, HealthCheckTimeout = HealthCheckTimeout };
        using var site = CreateSiteHealthClient(SiteUrl);
        var result = RunVercel((client, log, token) => new ApplicationRollback(client, site, log).ExecuteAsync(plan, options, token));
        WriteObject(result);
    }

    private static string Describe(VercelDeployment deployment) =>
        $"{deployment.DeploymentId} ({deployment.Url ?? "no URL"}, created {deployment.CreatedAt:u})";
}
