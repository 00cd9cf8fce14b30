using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Configuration;
using Hotmess.Recovery.Database;
using Hotmess.Recovery.DataRetention;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Applies a data retention policy to a database: deletes, anonymises or aggregates the rows each rule makes due, in small batches, and keeps an audit record.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "HotmessDataRetention", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(DataRetentionResult))]
public sealed class InvokeHotmessDataRetentionCommand : HotmessCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PolicyPath { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SecureStringAsText]
    public string? ConnectionString { get; set; }

    [Parameter]
    [Credential]
    public PSCredential? Credential { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int BatchSize { get; set; } = 1000;

    /// <summary>How long a batch waits for a row lock another session holds (lock_timeout) before it tries again.</summary>
    [Parameter]
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Database sets older than this that hold data erased since are reported; the configuration's, else 30 days.</summary>
    [Parameter]
    [RetentionDurationTransformation]
    public TimeSpan? ErasureWindow { get; set; }

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        DataRetentionPolicy? policy = null;
        Terminating(() => policy = RetentionPolicyParameters.Load(PolicyPath, configuration, GetUnresolvedProviderPathFromPSPath));
        WriteVerbose($"Data retention policy: {policy!.Source}.");
        string connectionString = "";
        TimeSpan window = default;
        Terminating(() =>
        {
            connectionString = DatabaseConnectionParameters.Resolve(ConnectionString, Credential, configuration, WriteWarning);
            window = ErasureWindow ?? configuration.Retention.ErasureWindowOrDefault();
        });
        var database = ConnectionStrings.Redact(ConnectionStrings.Parse(connectionString));
        var whatIf = IsWhatIf();
        if (!whatIf && !ShouldProcessUnlessForced(Force, database, $"Apply the data retention policy {policy.Source} ({policy.Rules.Count} rules)"))
        {
            return;
        }

        var request = new DataRetentionRequest
        {
            ConnectionString = connectionString,
            Policy = policy,
            WhatIf = whatIf,
            BatchSize = BatchSize,
            LockTimeout = LockTimeout,
            Repository = ResolveRepositoryPath(Repository, configuration),
            ErasureWindow = window,
        };
        DataRetentionRun? run = null;
        Terminating(() => run = RunEngine((log, token) => DataRetentionEngine.RunAsync(request, log, token)));
        foreach (var result in run!.Results)
        {
            if (whatIf)
            {
                // Prints "What if: …" per rule; the object below carries the same counts.
                ShouldProcess($"{result.Rule} ({result.Table})", $"{result.Action} {result.Rows} row(s), {result.Held} held");
            }

            WriteObject(result);
        }
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var bound)
            ? LanguagePrimitives.IsTrue(bound)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));
}
