<#
.SYNOPSIS
    Procedure 2 of the HOTMESS Backup & Recovery Plan: rolls production back to the last working Vercel deployment.

.DESCRIPTION
    For a buggy deployment or broken features. Finds the last working deployment (the newest READY production
    deployment older than the one serving production, or -DeploymentId), rolls production back to it with
    Vercel's instant rollback, waits until Vercel reports the outcome, checks https://<site>/api/health, and
    writes an incident record object to the output.

    Runs unattended (Azure Automation, CI) or by hand. Settings come from Azure Automation variables when
    Get-AutomationVariable exists, otherwise from the environment: VERCEL_TOKEN (encrypted variable),
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

.PARAMETER TimeoutSeconds
    How long to wait for Vercel to finish the rollback.

.PARAMETER HealthCheckTimeoutSeconds
    How long to wait for the site to answer healthy after the rollback.

.EXAMPLE
    ./Invoke-HotmessApplicationRollback.ps1 -Reason 'Checkout broken by the 14:02 deployment' -WhatIf

    Shows which rollback would be made, changing nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $DeploymentId,
    [string] $Reason = 'Buggy deployment or broken features',
    [ValidateRange(1, 3600)] [int] $TimeoutSeconds = 180,
    [ValidateRange(1, 3600)] [int] $HealthCheckTimeoutSeconds = 60
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module HotmessRecovery

function Get-RunbookSetting {
    # An Automation variable when running in Azure Automation (and the variable exists), else the environment variable.
    param([string] $Name)
    $value = $null
    if (Get-Command Get-AutomationVariable -ErrorAction Ignore) {
        try { $value = Get-AutomationVariable -Name $Name } catch { $value = $null }
    }
    if ([string]::IsNullOrEmpty($value)) { $value = [Environment]::GetEnvironmentVariable($Name) }
    if ([string]::IsNullOrEmpty($value)) { $null } else { [string] $value }
}

$vercel = @{}
$token = Get-RunbookSetting 'VERCEL_TOKEN'
if ($token) { $vercel.Token = ConvertTo-SecureString $token -AsPlainText -Force }
$token = $null
foreach ($setting in @{ ProjectId = 'VERCEL_PROJECT_ID'; TeamId = 'VERCEL_TEAM_ID'; ApiUrl = 'VERCEL_API_URL' }.GetEnumerator()) {
    $value = Get-RunbookSetting $setting.Value
    if ($value) { $vercel[$setting.Key] = $value }
}
$siteUrl = Get-RunbookSetting 'HOTMESS_SITE_URL'

$record = [ordered]@{
    PSTypeName       = 'Hotmess.Recovery.IncidentRecord'
    Procedure        = 'Procedure 2: Application Rollback'
    Reason           = $Reason
    Outcome          = $null
    StartedAt        = [DateTimeOffset]::UtcNow
    CompletedAt      = $null
    Duration         = $null
    ProjectId        = $null
    FromDeploymentId = $null
    ToDeploymentId   = $null
    Healthy          = $null
    HealthDetail     = $null
    Actions          = [System.Collections.Generic.List[string]]::new()
    ErrorId          = $null
    Error            = $null
}

function Complete-Record {
    # Stamps the end time and writes the record to the output.
    param([string] $Outcome)
    $record.Outcome = $Outcome
    $record.CompletedAt = [DateTimeOffset]::UtcNow
    $record.Duration = $record.CompletedAt - $record.StartedAt
    [pscustomobject] $record
}

$rollback = @{ Force = $true; Timeout = [TimeSpan]::FromSeconds($TimeoutSeconds); HealthCheckTimeout = [TimeSpan]::FromSeconds($HealthCheckTimeoutSeconds) }
if ($DeploymentId) { $rollback.DeploymentId = $DeploymentId }
if ($siteUrl) { $rollback.SiteUrl = $siteUrl }

try {
    # -WhatIf reaches the cmdlet through $WhatIfPreference.
    $result = Invoke-HotmessRollback @vercel @rollback
}
catch {
    $record.ErrorId = $_.FullyQualifiedErrorId
    $record.Error = $_.Exception.Message
    if ($DeploymentId -and $_.FullyQualifiedErrorId -like 'VercelDeploymentAlreadyCurrent,*') {
        # A restarted job: the rollback it asked for has already happened.
        $record.ToDeploymentId = $DeploymentId
        $record.Actions.Add("Found $DeploymentId already serving production; nothing to do.")
        Complete-Record 'AlreadyCurrent'
        return
    }
    $record.Actions.Add("Rollback not completed: $($_.Exception.Message)")
    Complete-Record 'Failed'
    throw
}

if (-not $result) {
    $record.Actions.Add('WhatIf: no rollback requested.')
    Complete-Record 'WhatIf'
    return
}

$record.ProjectId = $result.ProjectId
$record.FromDeploymentId = $result.FromDeploymentId
$record.ToDeploymentId = $result.ToDeploymentId
$record.Healthy = $result.Healthy
$record.HealthDetail = $result.HealthDetail
$record.Actions.Add("Rolled production back from $($result.FromDeploymentId) ($($result.FromUrl)) to $($result.ToDeploymentId) ($($result.ToUrl)) in $([int] $result.Duration.TotalSeconds) s.")
$record.Actions.Add("Health check $($result.HealthUrl): $($result.HealthDetail).")

if ($result.Healthy -eq $false) {
    Complete-Record 'RolledBackUnhealthy'
    throw "Production was rolled back to $($result.ToDeploymentId), but $($result.HealthUrl) is still unhealthy ($($result.HealthDetail))."
}
Complete-Record 'RolledBack'
