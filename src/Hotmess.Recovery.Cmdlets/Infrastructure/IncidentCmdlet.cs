using System.Management.Automation;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Incidents;

namespace Hotmess.Recovery.Cmdlets.Infrastructure;

/// <summary>
/// What New-, Add-…Note and Close-HotmessIncident share: the repository's incident store, and running the status
/// page and team notification through <see cref="IncidentResponder"/>, each failure a non-terminating error so the
/// record is still saved.
/// </summary>
public abstract class IncidentCmdlet : HotmessCmdlet
{
    /// <summary>The repository the incident is kept in.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    /// <summary>Tell the team on the channels of the incident's severity.</summary>
    [Parameter]
    public SwitchParameter Notify { get; set; }

    protected HotmessConfiguration Configuration { get; private set; } = null!;

    protected IncidentStore Store { get; private set; } = null!;

    protected void OpenStore()
    {
        Configuration = LoadConfiguration(ConfigurationPath);
        var path = ResolveRepositoryPath(Repository, Configuration);
        Terminating(() => Store = new IncidentStore(path));
    }

    /// <summary>Runs the responder's work; a failure (status page down, a channel refusing) is written as an error and the cmdlet carries on.</summary>
    protected void Respond(IncidentRecord record, Func<IncidentResponder, CancellationToken, Task> work)
    {
        PerItem(() => RunEngine(async (log, token) =>
        {
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var responder = new IncidentResponder(Configuration, System.Environment.GetEnvironmentVariables(), http, log);
            await work(responder, token).ConfigureAwait(false);
        }));
    }

    /// <summary>Notifies the team and reports each channel: verbose when sent, an error when it failed.</summary>
    protected void NotifyTeam(IncidentRecord record, AlertKind kind, string update)
    {
        IReadOnlyList<AlertDelivery> deliveries = [];
        Respond(record, async (responder, token) => deliveries = await responder.NotifyAsync(record, kind, update, token).ConfigureAwait(false));
        foreach (var delivery in deliveries)
        {
            if (delivery.Status == AlertDeliveryStatus.Sent)
            {
                WriteVerbose($"Told the team by {delivery.Channel} ({delivery.Target}).");
            }
            else
            {
                WriteError(new ErrorRecord(
                    new HotmessException(delivery.ErrorId ?? "AlertChannelFailed", FailureKind.RemoteServiceFailed,
                        $"The team was not told by {delivery.Channel}: {delivery.Error}"),
                    "IncidentNotificationFailed", ErrorCategory.ResourceUnavailable, delivery));
            }
        }
    }

    protected void Save(IncidentRecord record) => Terminating(() => Store.Save(record));

    protected IncidentRecord Load(string id)
    {
        IncidentRecord record = null!;
        Terminating(() => record = Store.Get(id));
        return record;
    }
}
