using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Platform.Vercel;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the Vercel deployments of the HOTMESS project, newest first.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessDeployment", DefaultParameterSetName = ListSet)]
[OutputType(typeof(VercelDeployment))]
public sealed class GetHotmessDeploymentCommand : VercelCmdlet
{
    private const string ListSet = "List";
    private const string ByIdSet = "ById";

    /// <summary>production or preview; all deployments when not given.</summary>
    [Parameter(ParameterSetName = ListSet, Position = 0)]
    [ValidateSet("production", "preview")]
    public string? Target { get; set; }

    /// <summary>Only deployments in these states.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateSet("QUEUED", "INITIALIZING", "BUILDING", "READY", "ERROR", "CANCELED", "BLOCKED")]
    public string[]? State { get; set; }

    /// <summary>How many deployments to return, newest first.</summary>
    [Parameter(ParameterSetName = ListSet)]
    [ValidateRange(1, 100_000)]
    public int First { get; set; } = 20;

    /// <summary>Deployments to get by id or URL.</summary>
    [Parameter(ParameterSetName = ByIdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? DeploymentId { get; set; }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == ByIdSet)
        {
            foreach (var id in DeploymentId!)
            {
                if (RunVercelPerItem((client, _, token) => client.GetDeploymentAsync(id, token)) is { } deployment)
                {
                    WriteObject(deployment);
                }
            }

            return;
        }

        var filter = new DeploymentFilter
        {
            Target = Target,
            States = State?.Select(s => s.ToUpperInvariant()).Distinct().ToArray() ?? [],
            PageSize = Math.Min(First, 100),
        };
        var deployments = RunVercel(async (client, _, token) =>
        {
            var found = new List<VercelDeployment>();
            await foreach (var deployment in client.GetDeploymentsAsync(filter, token).ConfigureAwait(false))
            {
                found.Add(deployment);
                if (found.Count == First)
                {
                    break;
                }
            }

            return found;
        });
        WriteObject(deployments, enumerateCollection: true);
    }
}
