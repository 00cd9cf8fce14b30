<#
.SYNOPSIS
    Procedure 1 of the HOTMESS Backup & Recovery Plan: restores the database by the path that loses the least data.

.DESCRIPTION
    Takes the incident time (default: now) and chooses the recovery path by the least data lost, saying why:
      1. PointInTime: Supabase point-in-time recovery to one minute before the incident, when PITR is enabled and
         that point is inside its window;
      2. SupabaseDaily: else the newest Supabase daily backup taken before the incident;
      3. OwnBackup: else the newest verified set of the module's own repository taken before the incident,
         restored into -TargetConnectionString (a new database beside the damaged one, or a new Supabase project), or
         with -NewProject into a Supabase project it creates beside the damaged one (New-HotmessSupabaseProject).
    -Path forces one. It restores (Restore-HotmessSupabaseBackup, which waits until the project is ACTIVE_HEALTHY,
    or Restore-HotmessDatabase), verifies integrity with Test-HotmessDatabaseIntegrity (an own set: every table's row count
    and fingerprint against it; a Supabase restore: the critical tables against the newest own set before the restore point;
    both: recent transactions present),
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

.PARAMETER NewProject
    Creates a Supabase project beside the damaged one (New-HotmessSupabaseProject, waited on until ACTIVE_HEALTHY) and
    restores the own set into it; the damaged project stays for forensics. Supabase's own backups restore into the
    damaged project itself, so with -NewProject only the OwnBackup path is taken. -UpdateConnections then uses the new
    project's URL and keys unless -SupabaseUrl, -AnonKey or -ServiceRoleKey say otherwise.

.PARAMETER ProjectName
    The name of the project -NewProject creates; hotmess-restored-<UTC yyyyMMdd-HHmm> by default.

.PARAMETER ConnectionString
    The restored database of a Supabase restore, to verify it; HOTMESS_DATABASE_URL when not given. Without either the
    check is left as a next step.

.PARAMETER CriticalTable
    The tables whose row counts a Supabase restore is checked on (schema.name). Defaults to the plan's critical tables:
    users (public.User) and orders with their payments (public.marketplace_order, which holds the Stripe payment intent).

.PARAMETER TransactionTable
    The table whose newest row shows that recent transactions are present: its newest timestamp (the column the own set's
    manifest records for it, else created_at) must be after the restore point minus the RPO objective.

.PARAMETER UpdateConnections
    When the database moved (an own set restored into another database or project than HOTMESS_DATABASE_URL names), sets
    HOTMESS_DATABASE_URL to -TargetConnectionString and, when given, VITE_SUPABASE_URL/SUPABASE_URL, VITE_SUPABASE_ANON_KEY
    and SUPABASE_SERVICE_ROLE_KEY (Set-HotmessSecret), then redeploys production (Invoke-HotmessRedeploy). Without it,
    that is listed as a next step.

.PARAMETER SupabaseUrl
    The API URL of the project the database moved to, for -UpdateConnections.

.PARAMETER AnonKey
    The anon key of the project the database moved to, for -UpdateConnections.

.PARAMETER ServiceRoleKey
    The service-role key of the project the database moved to, for -UpdateConnections.

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

.EXAMPLE
    ./Invoke-HotmessDatabaseRecovery.ps1 -NewProject -UpdateConnections -IncidentPath ./incidents

    Creates a Supabase project beside the damaged one, restores the newest verified own set into it, points the
    application at its URL and keys, and redeploys.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [DateTimeOffset] $IncidentTime = [DateTimeOffset]::UtcNow,
    [ValidateSet('Auto', 'PointInTime', 'SupabaseDaily', 'OwnBackup')] [string] $Path = 'Auto',
    [string] $Repository,
    [string] $TargetConnectionString,
    [switch] $NewProject,
    [string] $ProjectName = "hotmess-restored-$([DateTime]::UtcNow.ToString('yyyyMMdd-HHmm'))",
    [string] $ConnectionString,
    [string[]] $CriticalTable = @('public.User', 'public.marketplace_order'),
    [string] $TransactionTable = 'public.marketplace_order',
    [switch] $UpdateConnections,
    [string] $SupabaseUrl,
    [securestring] $AnonKey,
    [securestring] $ServiceRoleKey,
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

if (-not $ConnectionString) { $ConnectionString = Get-HotmessSetting HOTMESS_DATABASE_URL }
$problems = @()
$supabase = @{}
if ($token = Get-HotmessSetting SUPABASE_ACCESS_TOKEN) { $supabase.AccessToken = $token }
if ($projectRef = Get-HotmessSetting SUPABASE_PROJECT_REF) { $supabase.ProjectRef = $projectRef }

# 1. Choose the path by the least data lost.
$step = $record.StartStep('Choose the recovery path')
$choice = $null
$why = [System.Collections.Generic.List[string]]::new()
try {
    if ($NewProject -and $Path -in 'PointInTime', 'SupabaseDaily') {
        throw [System.Management.Automation.ErrorRecord]::new([System.ArgumentException]::new("-NewProject restores an own set into a new project; Supabase's $Path restore goes into the damaged project itself."),
            'DatabaseRecoveryNewProjectPath', [System.Management.Automation.ErrorCategory]::InvalidArgument, $Path)
    }
    if ($NewProject) {
        $why.Add('-NewProject: Supabase restores its backups into the damaged project itself, which stays for forensics here; only an own set goes into a new project.')
    }
    elseif ($Path -in 'Auto', 'PointInTime', 'SupabaseDaily' -and -not $supabase.AccessToken) {
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
    if ($choice.Path -eq 'OwnBackup' -and -not $TargetConnectionString -and -not $NewProject) {
        throw [System.Management.Automation.ErrorRecord]::new([System.ArgumentException]::new('The OwnBackup path restores into -TargetConnectionString: name a new database or an empty Supabase project, or create one with -NewProject.'),
            'DatabaseRecoveryTargetMissing', [System.Management.Automation.ErrorCategory]::InvalidArgument, 'TargetConnectionString')
    }
    if ($NewProject -and $TargetConnectionString) {
        throw [System.Management.Automation.ErrorRecord]::new([System.ArgumentException]::new('Name either -TargetConnectionString or -NewProject, not both.'),
            'DatabaseRecoveryTargetAmbiguous', [System.Management.Automation.ErrorCategory]::InvalidArgument, 'NewProject')
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

# -NewProject: the own set goes into a Supabase project created beside the damaged one, whose URL and keys the
# connection update then uses.
if ($NewProject) {
    $step = $record.StartStep("Create Supabase project $ProjectName")
    try {
        $created = @{ Name = $ProjectName; TimeoutMinutes = $TimeoutMinutes; PollIntervalSeconds = $PollIntervalSeconds; Confirm = $false }
        if ($supabase.AccessToken) { $created.AccessToken = $supabase.AccessToken }
        $createdProject = New-HotmessSupabaseProject @created -ErrorAction Stop
    }
    catch {
        $step.Fail("Project not created: $($_.Exception.Message)", $_.FullyQualifiedErrorId) | Out-Null
        Complete-Record 'Failed' $_
        throw
    }
    if (-not $createdProject) {
        $step.Skip("WhatIf: would create Supabase project $ProjectName beside the damaged one and restore $($choice.Detail) into it, losing what was written after $($choice.RestorePoint.ToString('u')).") | Out-Null
        Complete-Record 'WhatIf'
        return
    }
    $TargetConnectionString = [Net.NetworkCredential]::new('', $createdProject.ConnectionString).Password
    if (-not $SupabaseUrl) { $SupabaseUrl = $createdProject.ApiUrl }
    if (-not $AnonKey) { $AnonKey = $createdProject.AnonKey }
    if (-not $ServiceRoleKey) { $ServiceRoleKey = $createdProject.ServiceRoleKey }
    $record.SetFact('NewProject', "$($createdProject.Name) ($($createdProject.Ref)), $($createdProject.ApiUrl)")
    $step.Succeed("Project $($createdProject.Ref) is ACTIVE_HEALTHY after $([int] $createdProject.Duration.TotalSeconds) s.") | Out-Null
}

# The database moved when an own set goes into another database than HOTMESS_DATABASE_URL names; what then points the
# application at it (Set-HotmessSecret, in this order).
$moved = $false
$connectionUpdate = [ordered]@{}
if ($choice.Path -eq 'OwnBackup') {
    $current = Get-HotmessSetting HOTMESS_DATABASE_URL
    $target = [Hotmess.Recovery.Database.ConnectionStrings]::Parse($TargetConnectionString)
    $moved = -not $current -or $(
        $now = [Hotmess.Recovery.Database.ConnectionStrings]::Parse($current)
        $now.Host -ne $target.Host -or $now.Port -ne $target.Port -or $now.Database -ne $target.Database)
    $connectionUpdate.HOTMESS_DATABASE_URL = ConvertTo-SecureString $TargetConnectionString -AsPlainText -Force
    if ($SupabaseUrl) {
        $connectionUpdate.VITE_SUPABASE_URL = ConvertTo-SecureString $SupabaseUrl -AsPlainText -Force
        $connectionUpdate.SUPABASE_URL = $connectionUpdate.VITE_SUPABASE_URL
    }
    if ($AnonKey) { $connectionUpdate.VITE_SUPABASE_ANON_KEY = $AnonKey }
    if ($ServiceRoleKey) { $connectionUpdate.SUPABASE_SERVICE_ROLE_KEY = $ServiceRoleKey }
}

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
    $then = if ($moved -and $UpdateConnections) { " Then would set $(@($connectionUpdate.Keys) -join ', ') (Set-HotmessSecret) and redeploy production (Invoke-HotmessRedeploy)." }
    $step.Skip("WhatIf: would restore by $($choice.Path) to $($choice.RestorePoint.ToString('u')), losing what was written after it.$then") | Out-Null
    Complete-Record 'WhatIf'
    return
}
$step.Succeed($(if ($choice.Path -eq 'OwnBackup') { "Restored $($result.TableCount) tables, $($result.RowCount) rows into $($result.Database) ($($result.TargetKind))." } else { "Supabase reports the project ACTIVE_HEALTHY after $([int] $result.Duration.TotalMinutes) min." })) | Out-Null

# 3. Verify integrity (Test-HotmessDatabaseIntegrity): an own set against the database it went into, every table's rows and
# fingerprints; a Supabase restore's critical tables against the newest own set before the restore point. Both: recent transactions.
$step = $record.StartStep('Verify integrity')
$integrity = @{ TransactionTable = $TransactionTable; MaxAgeHours = $rpoObjective.TotalHours; ErrorAction = 'Stop' }
if ($choice.Path -eq 'OwnBackup') {
    $integrity.Backup = $choice.Set
    $integrity.ConnectionString = $TargetConnectionString
}
elseif ($ConnectionString) {
    $integrity.ConnectionString = $ConnectionString
    $integrity.CriticalTable = $CriticalTable
    $integrity.RestorePoint = $choice.RestorePoint
    if ($Repository) { $integrity.Repository = $Repository }
}
if (-not $integrity.ConnectionString) {
    $step.Skip('No -ConnectionString nor HOTMESS_DATABASE_URL names the restored database: its critical tables were not checked.') | Out-Null
    $record.AddNextStep('Compare the row counts of the critical tables with the newest own backup before the incident, and check that the newest orders are present.')
}
else {
    try {
        $checks = @(Test-HotmessDatabaseIntegrity @integrity)
        $problems = @($checks | Where-Object { -not $_.Passed } | ForEach-Object Detail)
        $recent = $checks | Where-Object Check -EQ RecentTransactions
        if ($recent) { $record.SetFact('RecentTransactions', $recent.Detail) }
        if ($choice.Path -eq 'OwnBackup') {
            $summary = "$(@($checks | Where-Object Check -EQ RowCount).Count) tables' row counts and $(@($checks | Where-Object Check -EQ Fingerprint).Count) fingerprints against $($choice.Set.Id)"
        }
        else {
            $lines = @($checks | Where-Object Check -EQ RowCount | ForEach-Object Detail)
            $record.SetFact('CriticalTables', ($lines -join '; '))
            if ($lines -match '\(no own evidence\)$') { $record.AddNextStep('No own database set taken before the incident: the critical tables were checked without own evidence.') }
            $summary = "Critical tables: $($lines -join '; ')"
        }
        if ($problems.Count) {
            $step.Fail("Integrity in doubt: $($problems -join '; '). $summary.", 'DatabaseRecoveryIntegrityInDoubt') | Out-Null
            $record.AddNextStep("Check the restored database: $(($problems | Select-Object -First 5) -join '; ').")
        }
        else { $step.Succeed("$summary$(if ($recent) { ". Recent transactions present: $($recent.Detail)" }).") | Out-Null }
    }
    catch {
        $problems = @('not readable')
        $step.Fail("The restored database could not be checked: $($_.Exception.Message)", 'DatabaseRecoveryVerifyFailed') | Out-Null
        $record.AddNextStep('Check the restored database by hand: it could not be read.')
    }
}

# 4. Connections: only an own set restored into another database or project moved the database; a Supabase restore keeps it.
if ($moved) {
    $names = @($connectionUpdate.Keys) -join ', '
    if (-not $UpdateConnections) {
        $record.AddNextStep("Point the application at $($result.Target) (Set-HotmessSecret for $names, then Invoke-HotmessRedeploy), once it is checked.")
    }
    else {
        $step = $record.StartStep('Update connections')
        try {
            foreach ($entry in $connectionUpdate.GetEnumerator()) { Set-HotmessSecret -Name $entry.Key -Value $entry.Value -Confirm:$false }
            $deployment = Invoke-HotmessRedeploy -Wait -Confirm:$false
            $record.SetFact('Redeploy', "$($deployment.DeploymentId) $($deployment.State)")
            $step.Succeed("Set $names and redeployed production ($($deployment.DeploymentId), $($deployment.State)).") | Out-Null
        }
        catch {
            $step.Fail("Connections not updated: $($_.Exception.Message)", $_.FullyQualifiedErrorId) | Out-Null
            $record.AddNextStep("Set $names by hand (Set-HotmessSecret) and redeploy (Invoke-HotmessRedeploy).")
        }
    }
}
elseif ($UpdateConnections) {
    $record.AddNote('Connections left as they are: the database did not move, so the application already points at it.')
}

# 5. RTO and RPO against the plan's objectives, and the notice for users.
$rpo = $incident - $choice.RestorePoint
$rto = [DateTimeOffset]::UtcNow - $record.StartedUtc
$record.SetFact('RTO', "$([math]::Round($rto.TotalMinutes, 1)) min (objective $($rtoObjective.TotalHours) h): $(if ($rto -le $rtoObjective) { 'met' } else { 'MISSED' })")
$record.SetFact('RPO', "$([math]::Round($rpo.TotalMinutes, 1)) min (objective $($rpoObjective.TotalHours) h): $(if ($rpo -le $rpoObjective) { 'met' } else { 'MISSED' })")
$record.AddNote("Notice for users: HOTMESS was unavailable while we restored our database after an incident at $($incident.ToString('u')). Everything up to $($choice.RestorePoint.ToString('u')) is back; changes made after that time may have to be made again. We are sorry for the disruption.")
Complete-Record $(if (($choice.Path -eq 'OwnBackup' -and -not $result.RowCountsMatch) -or $problems.Count) { 'RestoredUnverified' } else { 'Restored' })
