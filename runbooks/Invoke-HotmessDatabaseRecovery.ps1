<#
.SYNOPSIS
    Procedure 1 of the HOTMESS Backup & Recovery Plan: restores the database by the path that loses the least data.

.DESCRIPTION
    Takes the incident time (default: now) and chooses the recovery path by the least data lost, saying why:
      1. PointInTime: Supabase point-in-time recovery to one minute before the incident, when PITR is enabled and
         that point is inside its window;
      2. SupabaseDaily: else the newest Supabase daily backup taken before the incident;
      3. OwnBackup: else the newest verified set of the module's own repository taken before the incident,
         restored into -TargetConnectionString (a new database beside the damaged one, or a new Supabase project).
    -Path forces one. It restores (Restore-HotmessSupabaseBackup, which waits until the project is ACTIVE_HEALTHY,
    or Restore-HotmessDatabase), verifies what it can (an own set: every table's row count against its manifest),
    and records the incident (New-HotmessIncidentRecord): chosen path and why, measured RTO (start to verified) and
    RPO (incident time minus the newest data recovered) against the plan's objectives (objectives.rtoHours and
    rpoHours in hotmess.json, else 4 h and 24 h), and a prepared notice for users.

    Settings come from Get-HotmessSetting (Automation variables inside a job, else the environment):
    SUPABASE_ACCESS_TOKEN, SUPABASE_PROJECT_REF, SUPABASE_MANAGEMENT_URL (optional), HOTMESS_REPOSITORY (optional).
    Without a Supabase token the Supabase paths are skipped, with the reason in the record.

.PARAMETER IncidentTime
    When the damage happened; nothing after it should come back. Defaults to now.

.PARAMETER Path
    Auto (the default) chooses as above; PointInTime, SupabaseDaily or OwnBackup forces one.

.PARAMETER Repository
    The module's own backup repository for the OwnBackup path; the configuration or HOTMESS_REPOSITORY when not given.

.PARAMETER TargetConnectionString
    Where the OwnBackup path restores: a database that does not exist yet (created beside the damaged one, which stays
    for forensics) or an empty Supabase project.

.PARAMETER Reason
    Why the database is restored; copied into the incident record.

.PARAMETER IncidentPath
    A folder to write the incident record to (Markdown and JSON); without it the record is only written to the output.

.PARAMETER TimeoutMinutes
    How long a Supabase restore may take to be ACTIVE_HEALTHY again.

.PARAMETER PollIntervalSeconds
    How often the project's status is read while it restores.

.EXAMPLE
    ./Invoke-HotmessDatabaseRecovery.ps1 -IncidentTime '2026-12-01T14:05:00Z' -Reason 'Orders table truncated' -WhatIf

    Says which path it would take and why, and what the restore would lose; changes nothing.

.EXAMPLE
    ./Invoke-HotmessDatabaseRecovery.ps1 -Path OwnBackup -TargetConnectionString 'Host=db.newprojectrefabcdefgh.supabase.co;Database=postgres;Username=postgres' -IncidentPath ./incidents

    The project is gone: restores the newest verified own set into a new Supabase project and records the incident.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [DateTimeOffset] $IncidentTime = [DateTimeOffset]::UtcNow,
    [ValidateSet('Auto', 'PointInTime', 'SupabaseDaily', 'OwnBackup')] [string] $Path = 'Auto',
    [string] $Repository,
    [string] $TargetConnectionString,
    [string] $Reason = 'Data loss or corruption',
    [string] $IncidentPath,
    [ValidateRange(1, 1440)] [int] $TimeoutMinutes = 120,
    [ValidateRange(1, 600)] [int] $PollIntervalSeconds = 10
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module HotmessRecovery

$record = New-HotmessIncidentRecord database-recovery 'Procedure 1: Database Restore from Backup' -Reason $Reason
$incident = $IncidentTime.ToUniversalTime()
$record.SetFact('IncidentTime', $incident.ToString('u'))
$objectives = (Get-HotmessConfiguration).Objectives
$rtoObjective = [TimeSpan]::FromHours($(if ($objectives.RtoHours) { $objectives.RtoHours } else { 4 }))
$rpoObjective = [TimeSpan]::FromHours($(if ($objectives.RpoHours) { $objectives.RpoHours } else { 24 }))

function Complete-Record {
    param([string] $Outcome, [System.Management.Automation.ErrorRecord] $Failure)
    if ($Failure) { $record.Complete($Outcome, $Failure.FullyQualifiedErrorId, $Failure.Exception.Message) } else { $record.Complete($Outcome) }
    if ($IncidentPath -and -not $WhatIfPreference) { $record | Export-HotmessIncidentRecord -Path $IncidentPath | Out-Null }
    $record
}

$supabase = @{}
if ($token = Get-HotmessSetting SUPABASE_ACCESS_TOKEN) { $supabase.AccessToken = $token }
if ($projectRef = Get-HotmessSetting SUPABASE_PROJECT_REF) { $supabase.ProjectRef = $projectRef }

# 1. Choose the path by the least data lost.
$step = $record.StartStep('Choose the recovery path')
$choice = $null
$why = [System.Collections.Generic.List[string]]::new()
try {
    if ($Path -in 'Auto', 'PointInTime', 'SupabaseDaily' -and -not $supabase.AccessToken) {
        $why.Add('No SUPABASE_ACCESS_TOKEN: Supabase''s own backups cannot be used.')
    }
    elseif ($Path -in 'Auto', 'PointInTime', 'SupabaseDaily') {
        $project = Get-HotmessSupabaseProject @supabase
        $record.SetFact('SupabaseProject', "$($project.Name) ($($project.ProjectRef)), $($project.Status)")
        $point = $incident.AddMinutes(-1)
        if ($Path -in 'Auto', 'PointInTime') {
            if ($project.PitrEnabled -and $point -ge $project.PitrEarliestUtc) {
                if ($point -gt $project.PitrLatestUtc) { $point = $project.PitrLatestUtc }
                $choice = [pscustomobject]@{ Path = 'PointInTime'; RestorePoint = $point; Detail = "PITR to $($point.ToString('u'))" }
                $why.Add("PITR is enabled and its window ($($project.PitrEarliestUtc.ToString('u')) to $($project.PitrLatestUtc.ToString('u'))) reaches one minute before the incident: the least data lost.")
            }
            else {
                $why.Add($(if ($project.PitrEnabled) { "The incident is before the PITR window, which starts $($project.PitrEarliestUtc.ToString('u'))." } else { 'The project has no point-in-time recovery.' }))
            }
        }
        if (-not $choice -and $Path -in 'Auto', 'SupabaseDaily') {
            $daily = Get-HotmessSupabaseBackup @supabase -Kind Daily -Before $incident -Latest
            if ($daily) {
                $choice = [pscustomobject]@{ Path = 'SupabaseDaily'; RestorePoint = $daily.TakenUtc; BackupId = $daily.BackupId; Detail = "Supabase daily backup $($daily.BackupId) of $($daily.TakenUtc.ToString('u'))" }
                $why.Add("The newest Supabase daily backup before the incident is $($daily.BackupId), taken $($daily.TakenUtc.ToString('u')).")
            }
            else { $why.Add('Supabase holds no daily backup taken before the incident.') }
        }
    }
    if (-not $choice -and $Path -in 'Auto', 'OwnBackup') {
        $own = @{ Kind = 'Database' }
        if ($Repository) { $own.Repository = $Repository }
        $sets = try { @(Get-HotmessBackup @own) } catch { $why.Add("There is no own backup repository to restore from: $($_.Exception.Message)"); @() }
        $verified = $sets | Where-Object { $_.StartedUtc -le $incident } | Sort-Object StartedUtc -Descending | Where-Object {
            [Hotmess.Recovery.Repository.BackupRepository]::Open($_.Repository).GetVerifications($_.Id) | Where-Object Passed
        } | Select-Object -First 1
        if ($verified) {
            $choice = [pscustomobject]@{ Path = 'OwnBackup'; RestorePoint = $verified.StartedUtc; Set = $verified; Detail = "own set $($verified.Id)" }
            $why.Add("The newest verified own set before the incident is $($verified.Id), taken $($verified.StartedUtc.ToString('u')).")
        }
        elseif ($sets) { $why.Add('The own repository holds no verified database set taken before the incident.') }
    }
    if (-not $choice) {
        throw [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new("No recovery path is left: $($why -join ' ')"),
            'DatabaseRecoveryNoPath', [System.Management.Automation.ErrorCategory]::ObjectNotFound, $Path)
    }
    if ($choice.Path -eq 'OwnBackup' -and -not $TargetConnectionString) {
        throw [System.Management.Automation.ErrorRecord]::new([System.ArgumentException]::new('The OwnBackup path restores into -TargetConnectionString: name a new database or an empty Supabase project.'),
            'DatabaseRecoveryTargetMissing', [System.Management.Automation.ErrorCategory]::InvalidArgument, 'TargetConnectionString')
    }
}
catch {
    $step.Fail($_.Exception.Message, $_.FullyQualifiedErrorId) | Out-Null
    Complete-Record 'Failed' $_
    throw
}
$record.SetFact('Path', $choice.Path)
$record.SetFact('WhyChosen', $why -join ' ')
$record.SetFact('RestorePoint', $choice.RestorePoint.ToString('u'))
$step.Succeed("$($choice.Detail). $($why -join ' ')") | Out-Null

# 2. Restore.
$step = $record.StartStep("Restore: $($choice.Detail)")
try {
    $wait = @{ Force = $true; Timeout = [TimeSpan]::FromMinutes($TimeoutMinutes); PollInterval = [TimeSpan]::FromSeconds($PollIntervalSeconds) }
    $result = switch ($choice.Path) {
        'PointInTime' { Restore-HotmessSupabaseBackup @supabase @wait -PointInTime $choice.RestorePoint }
        'SupabaseDaily' { Restore-HotmessSupabaseBackup @supabase @wait -BackupId $choice.BackupId }
        'OwnBackup' { $choice.Set | Restore-HotmessDatabase -TargetConnectionString $TargetConnectionString -Confirm:$false -ErrorAction Stop }
    }
}
catch {
    $step.Fail("Restore not completed: $($_.Exception.Message)", $_.FullyQualifiedErrorId) | Out-Null
    Complete-Record 'Failed' $_
    throw
}
if (-not $result) {
    $step.Skip("WhatIf: would restore by $($choice.Path) to $($choice.RestorePoint.ToString('u')), losing what was written after it.") | Out-Null
    Complete-Record 'WhatIf'
    return
}
$step.Succeed($(if ($choice.Path -eq 'OwnBackup') { "Restored $($result.TableCount) tables, $($result.RowCount) rows into $($result.Database) ($($result.TargetKind))." } else { "Supabase reports the project ACTIVE_HEALTHY after $([int] $result.Duration.TotalMinutes) min." })) | Out-Null

# 3. Verify what the path allows.
$step = $record.StartStep('Verify integrity')
if ($choice.Path -eq 'OwnBackup') {
    if ($result.RowCountsMatch) { $step.Succeed("Every table's row count matches the manifest of $($choice.Set.Id).") | Out-Null }
    else {
        $differing = ($result.Comparison | Where-Object { -not $_.Matches } | Select-Object -First 5 | ForEach-Object { "$($_.Table) ($($_.Expected) expected, $($_.Actual) restored)" }) -join ', '
        $step.Fail("Row counts differ from the manifest: $differing", 'DatabaseRecoveryRowCountsDiffer') | Out-Null
        $record.AddNextStep("Check the restored tables that differ from the manifest: $differing.")
    }
}
else {
    $step.Skip('A Supabase restore is checked by hand: row counts of the critical tables against the newest own set before the incident, and the newest orders present.') | Out-Null
    $record.AddNextStep('Compare the row counts of the critical tables with the newest own backup before the incident, and check that the newest orders are present.')
}

# 4. Connections are not updated by this runbook: a Supabase restore keeps the project, an own restore names its target.
if ($choice.Path -eq 'OwnBackup') {
    $record.AddNextStep("Point the application at $($result.Target) (Set-HotmessSecret for the variables that hold its URL and keys, then Invoke-HotmessRedeploy), once it is checked.")
}

# 5. RTO and RPO against the plan's objectives, and the notice for users.
$rpo = $incident - $choice.RestorePoint
$rto = [DateTimeOffset]::UtcNow - $record.StartedUtc
$record.SetFact('RTO', "$([math]::Round($rto.TotalMinutes, 1)) min (objective $($rtoObjective.TotalHours) h): $(if ($rto -le $rtoObjective) { 'met' } else { 'MISSED' })")
$record.SetFact('RPO', "$([math]::Round($rpo.TotalMinutes, 1)) min (objective $($rpoObjective.TotalHours) h): $(if ($rpo -le $rpoObjective) { 'met' } else { 'MISSED' })")
$record.AddNote("Notice for users: HOTMESS was unavailable while we restored our database after an incident at $($incident.ToString('u')). Everything up to $($choice.RestorePoint.ToString('u')) is back; changes made after that time may have to be made again. We are sorry for the disruption.")
Complete-Record $(if ($choice.Path -eq 'OwnBackup' -and -not $result.RowCountsMatch) { 'RestoredUnverified' } else { 'Restored' })
