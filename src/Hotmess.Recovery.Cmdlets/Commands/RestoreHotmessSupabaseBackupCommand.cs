using System.Management.Automation;
using Hotmess.Recovery.Cmdlets.Infrastructure;
using Hotmess.Recovery.Supabase;

namespace Hotmess.Recovery.Cmdlets.Commands;

/// <summary>
/// <para type="synopsis">Restores a Supabase project's database from one of its daily backups or to a point in time, and waits until it is healthy.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "HotmessSupabaseBackup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = DailySet)]
[OutputType(typeof(SupabaseRestoreResult))]
public sealed class RestoreHotmessSupabaseBackupCommand : SupabaseManagementCmdlet
{
    private const string DailySet = "Daily";
    private const string PointInTimeSet = "PointInTime";

    /// <summary>The daily backup to restore, as Get-HotmessSupabaseBackup lists it.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = DailySet, ValueFromPipelineByPropertyName = true)]
    public long BackupId { get; set; }

    /// <summary>
    /// The moment to restore the database to (a DateTime is taken as local time unless its Kind says UTC); it must lie
    /// inside the project's PITR window.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = PointInTimeSet, ValueFromPipelineByPropertyName = true)]
    public DateTimeOffset PointInTime { get; set; }

    /// <summary>How long to wait for the project to be ACTIVE_HEALTHY again.</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = new SupabaseRestoreOptions().Timeout;

    /// <summary>How often the project's status is read while it restores.</summary>
    [Parameter]
    public TimeSpan PollInterval { get; set; } = new SupabaseRestoreOptions().PollInterval;

    /// <summary>Restores without asking; -WhatIf still only reports.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void ProcessRecord()
    {
        if (PollInterval <= TimeSpan.Zero || Timeout <= TimeSpan.Zero)
        {
            ThrowArgumentError("SupabaseRestoreWaitInvalid", "-Timeout and -PollInterval must be longer than zero.", PollInterval <= TimeSpan.Zero ? PollInterval : Timeout);
        }

        long? backupId = ParameterSetName == DailySet ? BackupId : null;
        DateTimeOffset? point = ParameterSetName == PointInTimeSet ? PointInTime.ToUniversalTime() : null;
        var plan = RunSupabase((engine, token) => engine.PlanRestoreAsync(backupId, point, token));
        WriteVerbose(plan.Description);
        if (!ShouldProcessUnlessForced(Force, plan.Description, "Restore the Supabase database"))
        {
            return;
        }

        var options = new SupabaseRestoreOptions { Timeout = Timeout, PollInterval = PollInterval };
        WriteObject(RunSupabase((engine, token) => engine.RestoreAsync(plan, options, token)));
    }
}
