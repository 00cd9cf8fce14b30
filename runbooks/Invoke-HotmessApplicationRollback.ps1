<#
.SYNOPSIS
    Procedure 2 of the HOTMESS Backup & Recovery Plan: rolls production back to the last working Vercel deployment.

.DESCRIPTION
    For a buggy deployment or broken features. Finds the last working deployment (the newest READY production
    deployment older than the one serving production, or -DeploymentId), rolls production back to it with
    Vercel's instant rollback, waits until Vercel reports the outcome, checks https://<site>/api/health, and
    writes the incident record (New-HotmessIncidentRecord) to the output, and with -IncidentPath to that folder
    as Markdown and JSON.

    Runs unattended (Azure Automation, CI) or by hand. Settings come from Get-HotmessSetting: Azure Automation
    variables when Get-AutomationVariable exists, otherwise the environment: VERCEL_TOKEN (encrypted variable),
    VERCEL_PROJECT_ID, VERCEL_TEAM_ID (optional), VERCEL_API_URL (optional), HOTMESS_SITE_URL (optional).

    The job fails (after writing the record) when the rollback fails or times out, and when the site is still
    unhealthy afterwards. An Automation job that is interrupted restarts from the top: pass -DeploymentId so a
    restart finds that deployment already serving production and ends with the outcome AlreadyCurrent instead
    of rolling back one deployment further.

.PARAMETER DeploymentId
    The production deployment to roll back to. By default the last READY production deployment before the
    current one.

.PARAMETER Reason
    Why production is being rolled back; copied into the incident record.

.PARAMETER IncidentPath
    A folder to write the incident record to (Export-HotmessIncidentRecord); created when missing. Without it the
    record is only written to the output.

.PARAMETER TimeoutSeconds
    How long to wait for Vercel to finish the rollback.

.PARAMETER HealthCheckTimeoutSeconds
    How long to wait for the site to answer healthy after the rollback.

.EXAMPLE
    ./Invoke-HotmessApplicationRollback.ps1 -Reason 'Checkout broken by the 14:02 deployment' -WhatIf

    Shows which rollback would be made, changing nothing.

.EXAMPLE
    ./Invoke-HotmessApplicationRollback.ps1 -DeploymentId dpl_8f2k -Reason 'Checkout broken' -IncidentPath ./incidents

    Rolls production back to dpl_8f2k and writes ./incidents/<id>.md and <id>.json; run again after an
    interruption, it ends AlreadyCurrent.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $DeploymentId,
    [string] $Reason = 'Buggy deployment or broken features',
    [string] $IncidentPath,
    [ValidateRange(1, 3600)] [int] $TimeoutSeconds = 180,
    [ValidateRange(1, 3600)] [int] $HealthCheckTimeoutSeconds = 60
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module HotmessRecovery

$record = New-HotmessIncidentRecord application-rollback 'Procedure 2: Application Rollback' -Reason $Reason

$vercel = @{}
foreach ($setting in @{ Token = 'VERCEL_TOKEN'; ProjectId = 'VERCEL_PROJECT_ID'; TeamId = 'VERCEL_TEAM_ID'; ApiUrl = 'VERCEL_API_URL' }.GetEnumerator()) {
    $value = Get-HotmessSetting $setting.Value
    if ($value) { $vercel[$setting.Key] = $value }
}
$record.SetFact('ProjectId', $vercel.ProjectId)

function Complete-Record {
    # Closes the record, writes it to -IncidentPath (not under -WhatIf) and to the output.
    param([string] $Outcome, [System.Management.Automation.ErrorRecord] $Failure)
    if ($Failure) { $record.Complete($Outcome, $Failure.FullyQualifiedErrorId, $Failure.Exception.Message) } else { $record.Complete($Outcome) }
    if ($IncidentPath) { $record | Export-HotmessIncidentRecord -Path $IncidentPath | Out-Null }
    $record
}

$rollback = @{ Force = $true; Timeout = [TimeSpan]::FromSeconds($TimeoutSeconds); HealthCheckTimeout = [TimeSpan]::FromSeconds($HealthCheckTimeoutSeconds) }
if ($DeploymentId) { $rollback.DeploymentId = $DeploymentId }
if ($siteUrl = Get-HotmessSetting HOTMESS_SITE_URL) { $rollback.SiteUrl = $siteUrl }

$step = $record.StartStep('Roll back production')
try {
    # -WhatIf reaches the cmdlet through $WhatIfPreference.
    $result = Invoke-HotmessRollback @vercel @rollback
}
catch {
    if ($DeploymentId -and $_.FullyQualifiedErrorId -like 'VercelDeploymentAlreadyCurrent,*') {
        # A restarted job: the rollback it asked for has already happened.
        $step.Skip("$DeploymentId already serves production; nothing to do.") | Out-Null
        $record.SetFact('ToDeploymentId', $DeploymentId)
        Complete-Record 'AlreadyCurrent'
        return
    }
    $step.Fail("Rollback not completed: $($_.Exception.Message)", $_.FullyQualifiedErrorId) | Out-Null
    Complete-Record 'Failed' $_
    throw
}

if (-not $result) {
    $step.Skip('WhatIf: no rollback requested.') | Out-Null
    Complete-Record 'WhatIf'
    return
}

$step.Succeed("Rolled production back from $($result.FromDeploymentId) ($($result.FromUrl)) to $($result.ToDeploymentId) ($($result.ToUrl)); Vercel took $([int] $result.Duration.TotalSeconds) s.") | Out-Null
$record.SetFact('ProjectId', $result.ProjectId)
$record.SetFact('FromDeploymentId', $result.FromDeploymentId)
$record.SetFact('ToDeploymentId', $result.ToDeploymentId)
$record.SetFact('Healthy', [string] $result.Healthy)
$record.SetFact('HealthCheck', "$($result.HealthUrl): $($result.HealthDetail)")

if ($result.Healthy -eq $false) {
    $message = "Production was rolled back to $($result.ToDeploymentId), but $($result.HealthUrl) is still unhealthy ($($result.HealthDetail))."
    $record.AddNextStep("Find why $($result.HealthUrl) is still unhealthy after the rollback: $($result.HealthDetail).")
    $failure = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($message),
        'ApplicationRollbackUnhealthy', [System.Management.Automation.ErrorCategory]::InvalidResult, $result.HealthUrl)
    Complete-Record 'RolledBackUnhealthy' $failure
    throw $failure
}
Complete-Record 'RolledBack'
