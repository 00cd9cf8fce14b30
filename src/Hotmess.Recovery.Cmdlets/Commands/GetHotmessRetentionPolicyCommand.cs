using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.DataRetention;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Shows the data retention policy in force and, given a database, the rows each rule makes due now.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessRetentionPolicy", DefaultParameterSetName = RulesSet)]
[OutputType(typeof(DataRetentionRuleDue), ParameterSetName = [RulesSet])]
[OutputType(typeof(string), ParameterSetName = [JsonSet])]
public sealed class GetHotmessRetentionPolicyCommand : HotmessCmdlet
{
    private const string RulesSet = "Rules";
    private const string JsonSet = "Json";

    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? PolicyPath { get; set; }

    [Parameter(ParameterSetName = RulesSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SecureStringAsText]
    public string? ConnectionString { get; set; }

    [Parameter(ParameterSetName = RulesSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Writes the policy as JSON instead, e.g. the default one as the start of your own.</summary>
    [Parameter(ParameterSetName = JsonSet, Mandatory = true)]
    public SwitchParameter AsJson { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        DataRetentionPolicy? policy = null;
        Terminating(() => policy = RetentionPolicyParameters.Load(PolicyPath, configuration, GetUnresolvedProviderPathFromPSPath));
        WriteVerbose($"Data retention policy: {policy!.Source}.");
        if (AsJson)
        {
            WriteObject(policy.ToJson());
            return;
        }

        if (ConnectionString is null && configuration.Database.ConnectionString is null)
        {
            WriteVerbose("No database given (-ConnectionString or database.connectionString): the rules are shown without the rows due.");
            foreach (var rule in policy.Ordered())
            {
                WriteObject(DataRetentionRuleDue.Of(rule, policy));
            }

            return;
        }

        string connectionString = "";
        Terminating(() => connectionString = DatabaseConnectionParameters.Resolve(ConnectionString, Credential, configuration, WriteWarning));
        Terminating(() =>
        {
            foreach (var due in RunEngine((log, token) => DataRetentionEngine.GetDueAsync(connectionString, policy, log, token)))
            {
                WriteObject(due);
            }
        });
    }
}
