using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Supabase;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Gets the daily backups Supabase keeps of a project, and its point-in-time recovery window.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "HotmessSupabaseBackup")]
[OutputType(typeof(SupabaseDailyBackup), typeof(SupabasePointInTimeWindow))]
public sealed class GetHotmessSupabaseBackupCommand : SupabaseManagementCmdlet
{
    /// <summary>Only the daily backups, or only the PITR window.</summary>
    [Parameter]
    public SupabaseRestoreKind? Kind { get; set; }

    /// <summary>Only backups taken at or before this time; the window is still written when it reaches back that far.</summary>
    [Parameter]
    public DateTimeOffset? Before { get; set; }

    /// <summary>Only the newest daily backup that passes the other filters.</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    protected override void ProcessRecord()
    {
        var catalog = RunSupabase((engine, token) => engine.GetCatalogAsync(token));
        var before = Before?.ToUniversalTime();
        if (Kind is null or SupabaseRestoreKind.PointInTime && catalog.Window is { } window && (before is null || window.EarliestUtc <= before))
        {
            WriteObject(window);
        }

        if (Kind is null or SupabaseRestoreKind.Daily)
        {
            var daily = catalog.DailyBackups.Where(d => before is null || d.TakenUtc <= before);
            WriteObject(Latest ? daily.Where(d => d.IsRestorable).Take(1) : daily, enumerateCollection: true);
        }
    }
}
