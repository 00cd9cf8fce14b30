<#
.SYNOPSIS
    Procedure 3 of the HOTMESS Backup & Recovery Plan: puts new credentials into Vercel, redeploys, tests every
    integration and records the incident.

.DESCRIPTION
    For compromised credentials or lost access. Step 1 of the procedure, generating the new keys, stays in each
    provider's dashboard (Supabase, Stripe, Resend); store each new value in the Azure Automation variable (or,
    outside Azure Automation, the environment variable) named like the plan's variable, e.g. STRIPE_SECRET_KEY.
    Then this runbook:

      1. reads the new values of the secrets named by -SecretName: the keys that were replaced, and only those;
      2. tests the new keys against their services before anything changes, and stops if one is refused;
      3. sets them in the Vercel project (Set-HotmessSecret), for -Target;
      4. redeploys production and waits until it is READY (Invoke-HotmessRedeploy -Wait);
      5. tests every integration (Test-HotmessIntegration) with the new keys;
      6. writes the incident record to -IncidentPath as Markdown and JSON, and to the output.

    Settings come from Azure Automation variables when Get-AutomationVariable exists, otherwise from the
    environment: VERCEL_TOKEN, VERCEL_PROJECT_ID, VERCEL_TEAM_ID, VERCEL_API_URL, HOTMESS_SITE_URL,
    VITE_SUPABASE_URL, SUPABASE_ACCESS_TOKEN, SUPABASE_PROJECT_REF, and the keys themselves. The record names
    the secrets that changed, never their values.

    The job fails, after writing the record, when a new key is refused, Vercel refuses a change, the redeploy
    fails, or an integration test fails. It is safe to run again: setting a secret to the same value and
    redeploying again change nothing further.

.PARAMETER IncidentPath
    The folder the incident record is written to; created when missing.

.PARAMETER SecretName
    The secrets that were replaced, among VITE_SUPABASE_ANON_KEY, SUPABASE_SERVICE_ROLE_KEY, STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET and RESEND_API_KEY. Each must have its new value in the Automation variable (or
    environment variable) of the same name. Named explicitly, because a variable holding a value does not say
    whether the value is new.

.PARAMETER Target
    The Vercel environments to update. All three by default.

.PARAMETER Reason
    Why the credentials are replaced; copied into the incident record.

.PARAMETER RedeployTimeoutSeconds
    How long to wait for the new production deployment to be READY.

.EXAMPLE
    ./Invoke-HotmessCredentialRecovery.ps1 -IncidentPath ./incidents -SecretName STRIPE_SECRET_KEY -Reason 'Stripe key leaked in a log' -WhatIf

    Reads and tests the new Stripe key, shows what would be changed, and changes and writes nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $IncidentPath,
    [Parameter(Mandatory)]
    [ValidateSet('VITE_SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_KEY')]
    [string[]] $SecretName,
    [ValidateSet('production', 'preview', 'development')]
    [string[]] $Target = @('production', 'preview', 'development'),
    [string] $Reason = 'Compromised credentials or lost access',
    [ValidateRange(1, 7200)] [int] $RedeployTimeoutSeconds = 900
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module HotmessRecovery

# Which integration check proves each key; the webhook signing secret cannot be checked from outside.
$checkOf = @{
    VITE_SUPABASE_ANON_KEY    = @{ Integration = 'Supabase'; Check = 'AnonKey'; Parameter = 'SupabaseAnonKey' }
    SUPABASE_SERVICE_ROLE_KEY = @{ Integration = 'Supabase'; Check = 'ServiceRoleKey'; Parameter = 'SupabaseServiceRoleKey' }
    STRIPE_SECRET_KEY         = @{ Integration = 'Stripe'; Check = 'SecretKey'; Parameter = 'StripeSecretKey' }
    STRIPE_WEBHOOK_SECRET     = $null
    RESEND_API_KEY            = @{ Integration = 'Resend'; Check = 'ApiKey'; Parameter = 'ResendApiKey' }
}

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

function Protect([string] $Text) { ConvertTo-SecureString $Text -AsPlainText -Force }

$record = [ordered]@{
    PSTypeName   = 'Hotmess.Recovery.IncidentRecord'
    Procedure    = 'Procedure 3: Environment Variable Recovery'
    Reason       = $Reason
    Outcome      = $null
    StartedAt    = [DateTimeOffset]::UtcNow
    CompletedAt  = $null
    Duration     = $null
    PerformedBy  = [Environment]::UserName
    ProjectId    = $null
    Targets      = $Target
    Secrets      = [System.Collections.Generic.List[object]]::new()
    Deployment   = $null
    Integrations = [System.Collections.Generic.List[object]]::new()
    Actions      = [System.Collections.Generic.List[string]]::new()
    NextSteps    = [System.Collections.Generic.List[string]]::new()
    ErrorId      = $null
    Error        = $null
    RecordFiles  = @()
}

function Add-IntegrationResults {
    param([string] $Stage, $Results)
    foreach ($result in $Results) {
        $record.Integrations.Add([ordered]@{
                Stage = $Stage; Integration = [string] $result.Integration; Check = $result.Check; Passed = $result.Passed
                Reason = $result.Reason; ErrorId = $result.ErrorId
            })
    }
}

function ConvertTo-IncidentMarkdown {
    $lines = [System.Collections.Generic.List[string]]::new()
    $lines.Add("# Incident record: $($record.Procedure)")
    $lines.Add('')
    $lines.Add('| | |')
    $lines.Add('|---|---|')
    foreach ($name in 'Outcome', 'Reason', 'StartedAt', 'CompletedAt', 'Duration', 'PerformedBy', 'ProjectId') {
        $value = $record[$name]
        if ($value -is [DateTimeOffset]) { $value = $value.UtcDateTime.ToString('yyyy-MM-dd HH:mm:ss') + ' UTC' }
        if ($value -is [TimeSpan]) { $value = '{0:N0} s' -f $value.TotalSeconds }
        $lines.Add("| $name | $value |")
    }
    $lines.Add("| Targets | $($record.Targets -join ', ') |")
    if ($record.ErrorId) { $lines.Add("| Error | $($record.ErrorId): $($record.Error -replace '\|', '/') |") }
    $lines.Add('')
    $lines.Add('## Secrets')
    $lines.Add('')
    $lines.Add('| Name | Action |')
    $lines.Add('|---|---|')
    foreach ($secret in $record.Secrets) { $lines.Add("| $($secret.Name) | $($secret.Action) |") }
    $lines.Add('')
    $lines.Add('## Deployment')
    $lines.Add('')
    $lines.Add($(if ($record.Deployment) { "$($record.Deployment.DeploymentId) ($($record.Deployment.State)) $($record.Deployment.Url)" } else { 'None.' }))
    $lines.Add('')
    $lines.Add('## Integration tests')
    $lines.Add('')
    $lines.Add('| Stage | Integration | Check | Passed | Reason |')
    $lines.Add('|---|---|---|---|---|')
    foreach ($test in $record.Integrations) {
        $lines.Add("| $($test.Stage) | $($test.Integration) | $($test.Check) | $($test.Passed) | $($test.Reason -replace '\|', '/') |")
    }
    $lines.Add('')
    $lines.Add('## Actions')
    $lines.Add('')
    foreach ($action in $record.Actions) { $lines.Add("- $action") }
    $lines.Add('')
    $lines.Add('## Next steps')
    $lines.Add('')
    foreach ($step in $record.NextSteps) { $lines.Add("- [ ] $step") }
    $lines -join "`n"
}

function Complete-Record {
    # Stamps the end time, writes the record files (not under -WhatIf) and the record object.
    param([string] $Outcome)
    $record.Outcome = $Outcome
    $record.CompletedAt = [DateTimeOffset]::UtcNow
    $record.Duration = $record.CompletedAt - $record.StartedAt
    $stamp = $record.StartedAt.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'")
    $base = Join-Path $IncidentPath "$stamp-credential-recovery"
    if ($PSCmdlet.ShouldProcess($IncidentPath, 'Write the incident record')) {
        New-Item -ItemType Directory -Force -Path $IncidentPath | Out-Null
        $record.RecordFiles = @("$base.md", "$base.json")
        Set-Content -LiteralPath "$base.md" -Value (ConvertTo-IncidentMarkdown) -Encoding utf8NoBOM
        $json = [ordered]@{}
        foreach ($entry in $record.GetEnumerator()) {
            if ($entry.Key -eq 'Duration') { $json.DurationSeconds = [math]::Round($entry.Value.TotalSeconds, 1) }
            elseif ($entry.Key -ne 'PSTypeName') { $json[$entry.Key] = $entry.Value }
        }
        Set-Content -LiteralPath "$base.json" -Value (ConvertTo-Json $json -Depth 6) -Encoding utf8NoBOM
    }
    [pscustomobject] $record
}

function Stop-Recovery {
    # Records the failure, writes the record, and ends the job with the error.
    param([System.Management.Automation.ErrorRecord] $Failure, [string] $Action)
    $record.ErrorId = $Failure.FullyQualifiedErrorId
    $record.Error = $Failure.Exception.Message
    $record.Actions.Add("$Action failed: $($Failure.Exception.Message)")
    Complete-Record 'Failed'
    throw $Failure
}

$vercel = @{}
$token = Get-RunbookSetting 'VERCEL_TOKEN'
if ($token) { $vercel.Token = Protect $token }
Remove-Variable token -WhatIf:$false
foreach ($setting in @{ ProjectId = 'VERCEL_PROJECT_ID'; TeamId = 'VERCEL_TEAM_ID'; ApiUrl = 'VERCEL_API_URL' }.GetEnumerator()) {
    $value = Get-RunbookSetting $setting.Value
    if ($value) { $vercel[$setting.Key] = $value }
}
$record.ProjectId = $vercel.ProjectId

# The integration tests see exactly what the runbook sees, Automation variables included; new keys win below.
$integration = @{}
foreach ($setting in @{ SupabaseUrl = 'VITE_SUPABASE_URL'; SupabaseProjectRef = 'SUPABASE_PROJECT_REF'; SiteUrl = 'HOTMESS_SITE_URL' }.GetEnumerator()) {
    $value = Get-RunbookSetting $setting.Value
    if ($value) { $integration[$setting.Key] = $value }
}
foreach ($setting in @{ SupabaseAccessToken = 'SUPABASE_ACCESS_TOKEN'; SupabaseAnonKey = 'VITE_SUPABASE_ANON_KEY'; SupabaseServiceRoleKey = 'SUPABASE_SERVICE_ROLE_KEY'; StripeSecretKey = 'STRIPE_SECRET_KEY'; ResendApiKey = 'RESEND_API_KEY' }.GetEnumerator()) {
    $value = Get-RunbookSetting $setting.Value
    if ($value) { $integration[$setting.Key] = Protect $value }
}

# 1. The new values.
$updates = [ordered]@{}
foreach ($name in $SecretName | Sort-Object -Unique) {
    $value = Get-RunbookSetting $name
    if (-not $value) {
        $failure = [System.Management.Automation.ErrorRecord]::new(
            [System.Management.Automation.PSArgumentException]::new("No new value for $name`: set the Automation variable (or environment variable) $name to the new key first."),
            'CredentialRecoveryValueMissing', [System.Management.Automation.ErrorCategory]::InvalidArgument, $name)
        Stop-Recovery $failure 'Reading the new secrets'
    }
    $updates[$name] = Protect $value
}
Remove-Variable value -WhatIf:$false

# 2. The new keys must work before they replace the old ones.
$withNewKeys = @{} + $integration
foreach ($name in $updates.Keys) {
    if ($checkOf[$name]) { $withNewKeys[$checkOf[$name].Parameter] = $updates[$name] }
}
$checked = @($updates.Keys | Where-Object { $checkOf[$_] })
if ($checked) {
    $wanted = @($checked | ForEach-Object { $checkOf[$_].Check })
    try {
        $results = @(Test-HotmessIntegration -Integration ($checked | ForEach-Object { $checkOf[$_].Integration } | Select-Object -Unique) @withNewKeys |
            Where-Object { $_.Check -in $wanted })
    }
    catch { Stop-Recovery $_ 'Testing the new keys' }
    Add-IntegrationResults 'Before the change' $results
    $refused = @($results | Where-Object { -not $_.Passed })
    if ($refused) {
        $failure = [System.Management.Automation.ErrorRecord]::new(
            [System.InvalidOperationException]::new("New keys refused, nothing was changed: $(($refused | ForEach-Object { "$($_.Integration) $($_.Check): $($_.Reason)" }) -join '; ')"),
            'CredentialRecoveryNewKeyRefused', [System.Management.Automation.ErrorCategory]::AuthenticationError, $refused[0].Check)
        Stop-Recovery $failure 'Testing the new keys'
    }
    $record.Actions.Add("Tested the new keys: $($wanted -join ', ') passed.")
}

# 3. Into Vercel.
foreach ($name in $updates.Keys) {
    try {
        Set-HotmessSecret -Name $name -Value $updates[$name] -Target $Target @vercel -Confirm:$false -WhatIf:$WhatIfPreference
    }
    catch { Stop-Recovery $_ "Setting $name in Vercel" }
    $action = if ($WhatIfPreference) { 'Would be updated' } else { 'Updated' }
    $record.Secrets.Add([ordered]@{ Name = $name; Action = $action })
    if (-not $WhatIfPreference) { $record.Actions.Add("Set $name in Vercel for $($Target -join ', ').") }
}

if ($WhatIfPreference) {
    $record.Actions.Add("WhatIf: $($updates.Keys -join ', ') would be set in Vercel, production redeployed and every integration tested.")
    Complete-Record 'WhatIf'
    return
}

# 4. Redeploy, so the running application reads the new values.
try {
    $deployment = Invoke-HotmessRedeploy -Target production -Wait -Timeout ([TimeSpan]::FromSeconds($RedeployTimeoutSeconds)) @vercel -Confirm:$false
}
catch { Stop-Recovery $_ 'Redeploying production' }
$record.Deployment = [ordered]@{ DeploymentId = $deployment.DeploymentId; State = $deployment.State; Url = $deployment.Url }
$record.Actions.Add("Redeployed production as $($deployment.DeploymentId) ($($deployment.State)).")

# 5. Every integration, with the new keys.
try {
    $results = @(Test-HotmessIntegration @withNewKeys)
}
catch { Stop-Recovery $_ 'Testing the integrations' }
Add-IntegrationResults 'After the redeploy' $results
$failing = @($results | Where-Object { -not $_.Passed })

# 6. The record.
foreach ($name in $updates.Keys) {
    $record.NextSteps.Add("Revoke the old value of $name in its provider's dashboard, now that the new one is live.")
}
if ($updates.Contains('STRIPE_WEBHOOK_SECRET')) {
    $record.NextSteps.Add('Check in the Stripe dashboard that webhook deliveries to the site succeed with the new signing secret.')
}
foreach ($test in $failing) { $record.NextSteps.Add("Fix $($test.Integration) $($test.Check): $($test.Reason)") }

if ($failing) {
    $record.ErrorId = 'CredentialRecoveryIntegrationFailed'
    $record.Error = "Integrations failing after the redeploy: $(($failing | ForEach-Object { "$($_.Integration) $($_.Check)" }) -join ', ')."
    $record.Actions.Add("Tested every integration: $($failing.Count) of $($results.Count) checks failed.")
    Complete-Record 'IntegrationsFailing'
    throw [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($record.Error),
        'CredentialRecoveryIntegrationFailed', [System.Management.Automation.ErrorCategory]::InvalidResult, $failing[0].Check)
}
$record.Actions.Add("Tested every integration: all $($results.Count) checks passed.")
Complete-Record 'Recovered'
