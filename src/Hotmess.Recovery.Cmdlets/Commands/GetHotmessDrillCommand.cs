using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Drills;
using Hotmess.Recovery.Repository;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the recovery drills kept in a repository, newest first, passed and failed alike.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessDrill")]
[OutputType(typeof(DrillRecord))]
public sealed class GetHotmessDrillCommand : HotmessCmdlet
{
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Repository { get; set; }

    /// <summary>Only drills of these scenarios.</summary>
    [Parameter]
    public DrillScenario[]? Scenario { get; set; }

    /// <summary>Only the drill with this id.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>Only the newest drill of each scenario.</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConfigurationPath { get; set; }

    protected override void ProcessRecord()
    {
        var configuration = LoadConfiguration(ConfigurationPath);
        Terminating(() =>
        {
            var drills = DrillEngine.GetDrills(BackupRepository.Open(ResolveRepositoryPath(Repository, configuration)));
            if (Scenario is not null)
            {
                drills = drills.Where(d => Scenario.Contains(d.Scenario));
            }

            if (Id is not null)
            {
                drills = drills.Where(d => d.Id == Id);
            }

            if (Latest)
            {
                drills = drills.GroupBy(d => d.Scenario).Select(g => g.First());
            }

            foreach (var drill in drills)
            {
                WriteObject(drill);
            }
        });
    }
}
