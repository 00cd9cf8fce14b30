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
      6. writes the incident record (New-HotmessIncidentRecord: every step with its status and duration) to
         -IncidentPath as Markdown and JSON (Export-HotmessIncidentRecord), and to the output.

    Settings come from Get-HotmessSetting: Azure Automation variables when Get-AutomationVariable exists,
    otherwise the environment: VERCEL_TOKEN, VERCEL_PROJECT_ID, VERCEL_TEAM_ID, VERCEL_API_URL, HOTMESS_SITE_URL,
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

$record = New-HotmessIncidentRecord credential-recovery 'Procedure 3: Environment Variable Recovery' -Reason $Reason
$record.SetFact('Targets', $Target -join ', ')

function Complete-Record {
    # Closes the record, writes its files (not under -WhatIf) and the record object.
    param([string] $Outcome, [System.Management.Automation.ErrorRecord] $Failure)
    if ($Failure) { $record.Complete($Outcome, $Failure.FullyQualifiedErrorId, $Failure.Exception.Message) } else { $record.Complete($Outcome) }
    $record | Export-HotmessIncidentRecord -Path $IncidentPath | Out-Null
    $record
}

function Stop-Recovery {
    # Fails the step, writes the record, and ends the job with the error.
    param([System.Management.Automation.ErrorRecord] $Failure, $Step)
    if ($Step) { $Step.Fail($Failure.Exception.Message, $Failure.FullyQualifiedErrorId) | Out-Null }
    Complete-Record 'Failed' $Failure
    throw $Failure
}

function Add-CheckSteps {
    # One step per integration check, measured by the check itself.
    param([string] $Stage, [DateTimeOffset] $StartedUtc, $Results)
    foreach ($result in $Results) {
        $status = if ($result.Passed) { 'Succeeded' } else { 'Failed' }
        $record.AddStep("$Stage`: $($result.Integration) $($result.Check)", $status, $StartedUtc, $result.Duration, $result.Reason, $result.ErrorId) | Out-Null
    }
}

$vercel = @{}
foreach ($setting in @{ Token = 'VERCEL_TOKEN'; ProjectId = 'VERCEL_PROJECT_ID'; TeamId = 'VERCEL_TEAM_ID'; ApiUrl = 'VERCEL_API_URL' }.GetEnumerator()) {
    if ($value = Get-HotmessSetting $setting.Value) { $vercel[$setting.Key] = $value }
}
$record.SetFact('ProjectId', $vercel.ProjectId)

# The integration tests see exactly what the runbook sees, Automation variables included; new keys win below.
$integration = @{}
foreach ($setting in @{
        SupabaseUrl = 'VITE_SUPABASE_URL'; SupabaseProjectRef = 'SUPABASE_PROJECT_REF'; SiteUrl = 'HOTMESS_SITE_URL'
        SupabaseAccessToken = 'SUPABASE_ACCESS_TOKEN'; SupabaseAnonKey = 'VITE_SUPABASE_ANON_KEY'; SupabaseServiceRoleKey = 'SUPABASE_SERVICE_ROLE_KEY'
        StripeSecretKey = 'STRIPE_SECRET_KEY'; ResendApiKey = 'RESEND_API_KEY'
    }.GetEnumerator()) {
    if ($value = Get-HotmessSetting $setting.Value) { $integration[$setting.Key] = $value }
}
Remove-Variable value -WhatIf:$false

# 1. The new values: each named secret must have one (they come back as SecureString).
$names = @($SecretName | Sort-Object -Unique)
$record.SetFact('Secrets', $names -join ', ')
$step = $record.StartStep('Read the new secrets')
try { $values = @(Get-HotmessSetting $names -Required) }
catch { Stop-Recovery $_ $step }
$updates = [ordered]@{}
for ($i = 0; $i -lt $names.Count; $i++) { $updates[$names[$i]] = $values[$i] }
$step.Succeed("New values found for $($names -join ', ').") | Out-Null
Remove-Variable values -WhatIf:$false

# 2. The new keys must work before they replace the old ones.
$withNewKeys = @{} + $integration
foreach ($name in $updates.Keys) {
    if ($checkOf[$name]) { $withNewKeys[$checkOf[$name].Parameter] = $updates[$name] }
}
$checked = @($updates.Keys | Where-Object { $checkOf[$_] })
if ($checked) {
    $wanted = @($checked | ForEach-Object { $checkOf[$_].Check })
    $step = $record.StartStep('Test the new keys')
    try {
        $results = @(Test-HotmessIntegration -Integration ($checked | ForEach-Object { $checkOf[$_].Integration } | Select-Object -Unique) @withNewKeys |
            Where-Object { $_.Check -in $wanted })
    }
    catch { Stop-Recovery $_ $step }
    Add-CheckSteps 'Before the change' $step.StartedUtc $results
    $refused = @($results | Where-Object { -not $_.Passed })
    if ($refused) {
        $failure = [System.Management.Automation.ErrorRecord]::new(
            [System.InvalidOperationException]::new("New keys refused, nothing was changed: $(($refused | ForEach-Object { "$($_.Integration) $($_.Check): $($_.Reason)" }) -join '; ')"),
            'CredentialRecoveryNewKeyRefused', [System.Management.Automation.ErrorCategory]::AuthenticationError, $refused[0].Check)
        Stop-Recovery $failure $step
    }
    $step.Succeed("$($wanted -join ', ') passed.") | Out-Null
}

# 3. Into Vercel.
foreach ($name in $updates.Keys) {
    $step = $record.StartStep("Set $name in Vercel")
    try {
        Set-HotmessSecret -Name $name -Value $updates[$name] -Target $Target @vercel -Confirm:$false -WhatIf:$WhatIfPreference
    }
    catch { Stop-Recovery $_ $step }
    if ($WhatIfPreference) { $step.Skip("WhatIf: would be set for $($Target -join ', ').") | Out-Null }
    else { $step.Succeed("For $($Target -join ', ').") | Out-Null }
}

if ($WhatIfPreference) {
    $record.AddNote("WhatIf: $($updates.Keys -join ', ') would be set in Vercel, production redeployed and every integration tested.") | Out-Null
    Complete-Record 'WhatIf'
    return
}

# 4. Redeploy, so the running application reads the new values.
$step = $record.StartStep('Redeploy production')
try {
    $deployment = Invoke-HotmessRedeploy -Target production -Wait -Timeout ([TimeSpan]::FromSeconds($RedeployTimeoutSeconds)) @vercel -Confirm:$false
}
catch { Stop-Recovery $_ $step }
$step.Succeed("$($deployment.DeploymentId) ($($deployment.State)) $($deployment.Url)") | Out-Null
$record.SetFact('DeploymentId', $deployment.DeploymentId)
$record.SetFact('DeploymentState', [string] $deployment.State)
$record.SetFact('DeploymentUrl', $deployment.Url)

# 5. Every integration, with the new keys.
$step = $record.StartStep('Test every integration')
try {
    $results = @(Test-HotmessIntegration @withNewKeys)
}
catch { Stop-Recovery $_ $step }
Add-CheckSteps 'After the redeploy' $step.StartedUtc $results
$failing = @($results | Where-Object { -not $_.Passed })

# 6. The record.
foreach ($name in $updates.Keys) {
    $record.AddNextStep("Revoke the old value of $name in its provider's dashboard, now that the new one is live.")
}
if ($updates.Contains('STRIPE_WEBHOOK_SECRET')) {
    $record.AddNextStep('Check in the Stripe dashboard that webhook deliveries to the site succeed with the new signing secret.')
}
foreach ($test in $failing) { $record.AddNextStep("Fix $($test.Integration) $($test.Check): $($test.Reason)") }

if ($failing) {
    $failure = [System.Management.Automation.ErrorRecord]::new(
        [System.InvalidOperationException]::new("Integrations failing after the redeploy: $(($failing | ForEach-Object { "$($_.Integration) $($_.Check)" }) -join ', ')."),
        'CredentialRecoveryIntegrationFailed', [System.Management.Automation.ErrorCategory]::InvalidResult, $failing[0].Check)
    $step.Fail("$($failing.Count) of $($results.Count) checks failed.", 'CredentialRecoveryIntegrationFailed') | Out-Null
    Complete-Record 'IntegrationsFailing' $failure
    throw $failure
}
$step.Succeed("All $($results.Count) checks passed.") | Out-Null
Complete-Record 'Recovered'
