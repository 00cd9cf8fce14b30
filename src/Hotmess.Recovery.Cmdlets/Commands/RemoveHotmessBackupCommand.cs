using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Common;
using Hotmess.Recovery.Repository;
using Hotmess.Recovery.Retention;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Removes the backup sets a retention policy does not keep (or the sets given), then the content-store objects no set needs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "HotmessBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = PolicySet)]
[OutputType(typeof(RetentionDecision))]
public sealed class RemoveHotmessBackupCommand : HotmessCmdlet
{
    private const string PolicySet = "Policy";
    private const string ByIdSet = "ById";

    private readonly List<(string Repository, string Id)> _requested = [];

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Only sets of this kind are considered; every kind (each counted on its own) when omitted.</summary>
    [Parameter(ParameterSetName = PolicySet)]
    public BackupKind? Kind { get; set; }

    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepLast { get; set; }

    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepHourly { get; set; }

    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepDaily { get; set; }

    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepWeekly { get; set; }

    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepMonthly { get; set; }

    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(0, int.MaxValue)]
    public int? KeepYearly { get; set; }

    /// <summary>A TimeSpan, or restic's short forms such as <c>7d</c> or <c>36h</c>.</summary>
    [Parameter(ParameterSetName = PolicySet)]
    [RetentionDurationTransformation]
    public TimeSpan? KeepWithin { get; set; }

    /// <summary>Sets to remove, e.g. piped from Get-HotmessBackup.</summary>
    [Parameter(ParameterSetName = ByIdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SetId")]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <summary>How long to wait for a running storage backup before removing storage sets and objects.</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromMinutes(30);

    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>For an encrypted repository (az://, s3://, or an encrypted folder): a file holding its passphrase; HOTMESS_REPOSITORY_KEY when not given.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RepositoryKeyFile { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        RepositoryReference reference = null!;
        Terminating(() => reference = ResolveRepository(Repository, configuration));
        var repositoryPath = reference.Location;
        if (ParameterSetName == ByIdSet)
        {
            _requested.AddRange(Id!.Select(id => (repositoryPath, id)));
            return;
        }

        var policy = PolicyFromParameters();
        if (policy is null)
        {
            Terminating(() => policy = configuration.Retention.ToPolicy());
        }

        if (policy is null)
        {
            ThrowArgumentError("RetentionPolicyMissing",
                "No retention policy: give at least one of -KeepLast, -KeepHourly, -KeepDaily, -KeepWeekly, -KeepMonthly, -KeepYearly or -KeepWithin, "
                + "or a 'retention' section in the configuration. Nothing was removed.", repositoryPath);
        }

        WriteVerbose($"Retention policy: {policy}.");
        // Log sets keep their own span (retention.keepLogsWithin, a year) unless -Kind names them.
        var kindPolicies = Kind is null ? configuration.Retention.KindPolicies() : null;
        if (reference.IsObjectRepository)
        {
            IReadOnlyList<RetentionDecision> planned = [];
            Terminating(() => planned = WithObjectRepository(reference, (repository, log, token) =>
                ObjectRepositoryPruner.PlanAsync(repository, Kind, policy!, DateTimeOffset.UtcNow, kindPolicies, log, token)));
            Apply(reference, planned);
            return;
        }

        var repository = Open(repositoryPath);
        IReadOnlyList<RetentionDecision> decisions = [];
        Terminating(() => decisions = BackupPruner.Plan(repository, Kind, policy!, DateTimeOffset.UtcNow, kindPolicies));
        Apply(repository, decisions);
    }

    protected override void EndProcessing()
    {
        foreach (var group in _requested.GroupBy(r => r.Repository, StringComparer.Ordinal))
        {
            var reference = RepositoryReference.Of(group.Key);
            if (reference.IsObjectRepository)
            {
                IReadOnlyList<RetentionDecision> requested = [];
                Terminating(() => requested = WithObjectRepository(reference, (repository, _, token) =>
                    ObjectRepositoryPruner.RequestedAsync(repository, group.Select(r => r.Id), token)));
                Apply(reference, requested);
                continue;
            }

            var repository = Open(group.Key);
            IReadOnlyList<RetentionDecision> decisions = [];
            Terminating(() => decisions = BackupPruner.Requested(repository, group.Select(r => r.Id)));
            Apply(repository, decisions);
        }
    }

    private RetentionPolicy? PolicyFromParameters()
    {
        string[] keeps = ["KeepLast", "KeepHourly", "KeepDaily", "KeepWeekly", "KeepMonthly", "KeepYearly", "KeepWithin"];
        return keeps.Any(MyInvocation.BoundParameters.ContainsKey)
            ? new RetentionPolicy
            {
                KeepLast = KeepLast,
                KeepHourly = KeepHourly,
                KeepDaily = KeepDaily,
                KeepWeekly = KeepWeekly,
                KeepMonthly = KeepMonthly,
                KeepYearly = KeepYearly,
                KeepWithin = KeepWithin,
            }
            : null;
    }

    private BackupRepository Open(string path)
    {
        BackupRepository? repository = null;
        Terminating(() => repository = BackupRepository.Open(path));
        return repository!;
    }

    private T WithObjectRepository<T>(RepositoryReference reference, Func<ObjectRepository, IOperationLog, CancellationToken, Task<T>> work) =>
        RunEngine(async (log, token) =>
        {
            await using var repository = await OpenObjectRepositoryAsync(reference, RepositoryKeyFile, initialize: false, log, token).ConfigureAwait(false);
            return await work(repository, log, token).ConfigureAwait(false);
        });

    /// <summary>The same for an encrypted repository: sets, then the files and objects no set refers to, under its lease.</summary>
    private void Apply(RepositoryReference reference, IReadOnlyList<RetentionDecision> decisions)
    {
        var confirmed = Confirmed(decisions);
        var removed = new HashSet<string>(StringComparer.Ordinal);
        var prune = ShouldProcessUnlessForced(Force, reference.Location, "Remove the stored files and objects no set refers to, including what interrupted copies left");
        if (confirmed.Count > 0 || prune)
        {
            Terminating(() =>
            {
                var result = WithObjectRepository(reference, (repository, log, token) => ObjectRepositoryPruner.RemoveAsync(repository, confirmed, prune, LockTimeout, log, token));
                removed.UnionWith(result.RemovedSetIds);
                WriteVerbose($"Removed {result.RemovedSetIds.Count} set(s) and {result.ObjectsRemoved} stored object(s) ({result.BytesFreed:N0} bytes) from '{reference.Location}'.");
            });
        }

        foreach (var decision in decisions)
        {
            WriteObject(decision with { Removed = removed.Contains(decision.Id) });
        }
    }

    private List<string> Confirmed(IReadOnlyList<RetentionDecision> decisions) => decisions
        .Where(d => d.Action == RetentionAction.Remove)
        .Where(d => ShouldProcessUnlessForced(Force, $"{d.Id} ({d.Kind}, started {d.StartedUtc.UtcDateTime:u})", "Remove backup set"))
        .Select(d => d.Id)
        .ToList();

    /// <summary>Asks for each removal, carries out those confirmed, and writes every decision with what was done.</summary>
    private void Apply(BackupRepository repository, IReadOnlyList<RetentionDecision> decisions)
    {
        var confirmed = Confirmed(decisions);

        var removed = new HashSet<string>(StringComparer.Ordinal);
        var prune = ShouldProcessUnlessForced(Force, repository.Root, "Remove the content-store objects no set refers to, and incomplete sets no backup is writing");
        if (confirmed.Count > 0 || prune)
        {
            Terminating(() =>
            {
                var result = RunEngine((log, token) => BackupPruner.RemoveAsync(repository, confirmed, prune, DateTimeOffset.UtcNow, LockTimeout, log, token));
                removed.UnionWith(result.RemovedSetIds);
                WriteVerbose($"Removed {result.RemovedSetIds.Count} set(s), {result.ObjectsRemoved} content-store object(s) ({result.BytesFreed:N0} bytes) and {result.IncompleteSetsRemoved} abandoned incomplete set(s).");
            });
        }

        foreach (var decision in decisions)
        {
            WriteObject(decision with { Removed = removed.Contains(decision.Id) });
        }
    }
}
