using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Builds a Vercel deployment of HOTMESS again, by default the one serving production.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HotmessRedeploy", SupportsShouldProcess = true)]
[OutputType(typeof(VercelDeployment))]
public sealed class InvokeHotmessRedeployCommand : VercelCmdlet
{
    /// <summary>The deployment to build again; by default the one serving production.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? DeploymentId { get; set; }

    /// <summary>production or preview; the source deployment's own target when not given.</summary>
    [Parameter]
    [ValidateSet("production", "preview")]
    public string? Target { get; set; }

    /// <summary>Wait until the new deployment is READY; an ERROR build is a terminating error.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long -Wait waits for the build.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);

    protected override void ProcessRecord()
    {
        var source = RunVercel((client, log, token) => new ApplicationRedeploy(client, log).ResolveSourceAsync(DeploymentId, token));
        var target = $"{source.DeploymentId} ({source.Url ?? "no URL"}) as a new {Target ?? source.Target ?? "preview"} deployment";
        if (!ShouldProcess(target, "Redeploy"))
        {
            return;
        }

        TimeSpan? wait = Wait ? Timeout : null;
        var created = RunVercel((client, log, token) => new ApplicationRedeploy(client, log).RedeployAsync(source, Target, wait, token));
        WriteObject(created);
    }
}
