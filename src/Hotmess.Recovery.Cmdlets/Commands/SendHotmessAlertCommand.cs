using System.Management.Automation;
using Hotmess.Recovery.Alerting;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Monitoring;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Sends alerts for check results by the plan's escalation table: one per problem, reminders, resolutions, a daily Low digest.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Send, "HotmessAlert", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(AlertDelivery))]
public sealed class SendHotmessAlertCommand : HotmessCmdlet
{
    private readonly List<HealthCheckResult> _results = [];

    /// <summary>The check's name; a problem is remembered by it.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Check")]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public HealthStatus Status { get; set; }

    /// <summary>The severity the check raises when it is not healthy.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public AlertSeverity Severity { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Value { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Threshold { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Message { get; set; }

    /// <summary>When the check ran; now when not given.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset? CheckedUtc { get; set; }

    /// <summary>The repository whose <c>alerts/state.json</c> remembers what was sent.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord() =>
        _results.Add(new HealthCheckResult(Name!, Status, Severity, Value, Threshold, Message ?? $"{Name} is {Status}", CheckedUtc ?? DateTimeOffset.UtcNow));

    protected override void EndProcessing()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        var repositoryPath = ResolveRepositoryPath(Repository, configuration);
        AlertStateStore? store = null;
        Terminating(() => store = AlertStateStore.Open(repositoryPath));
        using var held = store!;
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var log = new SwitchedLog { Target = new PipelineLog(this) };
        var senders = AlertSenders.FromEnvironment(configuration, System.Environment.GetEnvironmentVariables(), http, log);
        AlertRouter router = null!;
        AlertPlan plan = null!;
        Terminating(() =>
        {
            router = new AlertRouter(configuration.Alerting, held.State, senders.Senders, senders.Unavailable, senders.Secrets, log: log);
            plan = router.Plan(_results);
        });
        WriteVerbose($"{_results.Count} check result(s); {plan.Alerts.Count} message(s) to send; state in '{held.Path}'.");

        var approved = plan.Alerts.Where(a => ShouldProcess(a.Target, a.Describe())).ToHashSet();
        if (IsWhatIf())
        {
            foreach (var alert in plan.Alerts)
            {
                WriteObject(new AlertDelivery(string.Join(", ", alert.Checks), alert.Message.Level, alert.Message.Kind, alert.Channel, alert.Target,
                    AlertDeliveryStatus.Planned, alert.Message.Subject, alert.Message.DedupKey, plan.NowUtc));
            }

            return;
        }

        IReadOnlyList<AlertDelivery> deliveries = [];
        Terminating(() =>
        {
            deliveries = RunEngine((engineLog, token) =>
            {
                log.Target = engineLog;
                return router.DeliverAsync(plan, _results, approved.Contains, token);
            });
            held.Save();
        });

        foreach (var delivery in deliveries)
        {
            WriteObject(delivery);
        }

        // Reported after the state is saved and every result written, so a runbook's 'Stop' loses nothing.
        foreach (var failed in deliveries.Where(d => d.Status == AlertDeliveryStatus.Failed))
        {
            WriteError(new ErrorRecord(
                new HotmessException(failed.ErrorId ?? "AlertChannelFailed", FailureKind.RemoteServiceFailed,
                    $"The {failed.Kind.ToString().ToLowerInvariant()} about {failed.Check} was not sent by {failed.Channel}: {failed.Error} It is sent again next run."),
                "AlertChannelFailed", ErrorCategory.ResourceUnavailable, failed));
        }
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound)
            ? LanguagePrimitives.IsTrue(bound)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    /// <summary>Planning runs on the pipeline thread and writes at once; sending runs in RunEngine, whose log queues.</summary>
    private sealed class SwitchedLog : IOperationLog
    {
        public IOperationLog Target { get; set; } = NullOperationLog.Instance;

        public void Verbose(string message) => Target.Verbose(message);

        public void Warning(string message) => Target.Warning(message);

        public void Progress(OperationProgress progress) => Target.Progress(progress);
    }

    private sealed class PipelineLog(SendHotmessAlertCommand command) : IOperationLog
    {
        public void Verbose(string message) => command.WriteVerbose(message);

        public void Warning(string message) => command.WriteWarning(message);

        public void Progress(OperationProgress progress)
        {
        }
    }
}
