#Requires -Version 7.4
# Procedure 3 runbook end to end against the fakes, with Azure Automation's Get-AutomationVariable stubbed.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
    $runbook = Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessCredentialRecovery.ps1'
    if (-not (Test-Path $runbook)) {
        $module = Get-Module HotmessRecovery
        $runbook = Join-Path $module.ModuleBase 'runbooks/Invoke-HotmessCredentialRecovery.ps1'
    }

    $newKeys = @{
        STRIPE_SECRET_KEY = 'sk_test_rotated_stripe_key_0042'
        RESEND_API_KEY    = 're_test_rotated_resend_key_0043'
    }

    function Get-IncidentRecord([string] $Folder) {
        $json = @(Get-ChildItem $Folder -Filter '*-credential-recovery.json')
        $markdown = @(Get-ChildItem $Folder -Filter '*-credential-recovery.md')
        $json | Should -HaveCount 1
        $markdown | Should -HaveCount 1
        [pscustomobject]@{
            Record   = Get-Content -Raw $json[0].FullName | ConvertFrom-Json
            Text     = (Get-Content -Raw $json[0].FullName) + (Get-Content -Raw $markdown[0].FullName)
            Markdown = Get-Content -Raw $markdown[0].FullName
        }
    }

    function Get-ProductionDeployments {
        @((Invoke-FakeControl $fake vercel state -Method Get).deployments | Where-Object target -EQ 'production')
    }
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Invoke-HotmessCredentialRecovery in Azure Automation' {
    BeforeAll {
        # Exists only in the Azure Automation sandbox; defined here so it can be mocked.
        function Get-AutomationVariable { param([string] $Name) throw "Automation variable '$Name' is not defined." }
    }

    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        Add-SampleVercelVariables $fake
        Invoke-FakeControl $fake stripe keys @{ key = $newKeys.STRIPE_SECRET_KEY } | Out-Null
        Invoke-FakeControl $fake resend keys @{ key = $newKeys.RESEND_API_KEY } | Out-Null
        $incidents = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        # Outside Azure Automation the old keys are what the environment holds; the new ones are Automation variables.
        Mock Get-AutomationVariable { $newKeys[$Name] }
    }

    It 'sets the new keys, redeploys, tests every integration and records the incident without a secret' {
        $record = & $runbook -IncidentPath $incidents -SecretName STRIPE_SECRET_KEY, RESEND_API_KEY -Reason 'Keys leaked in a build log'

        $record.Outcome | Should -Be 'Recovered'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be $newKeys.STRIPE_SECRET_KEY
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].target | Should -Be 'production', 'preview', 'development'
        (Get-VercelVariable $fake RESEND_API_KEY)[0].value | Should -Be $newKeys.RESEND_API_KEY
        $production = Get-ProductionDeployments
        $production | Should -HaveCount 2
        $record.Facts.DeploymentId | Should -Not -Be 'dpl_live'
        $record.Facts.DeploymentId | Should -Be (Invoke-FakeControl $fake vercel state -Method Get).currentProductionId
        $record.Facts.DeploymentState | Should -Be 'READY'
        @($record.Steps | Where-Object Name -Like 'After the redeploy: *') | Should -HaveCount 6
        $record.Steps.Status | Should -Not -Contain 'Failed'
        ($record.Steps | Where-Object Name -Like 'Set * in Vercel').Status | Should -Be 'Succeeded', 'Succeeded'
        ($record.Steps | Where-Object Name -Like 'Set * in Vercel').Name | Should -Be 'Set RESEND_API_KEY in Vercel', 'Set STRIPE_SECRET_KEY in Vercel'

        $files = Get-IncidentRecord $incidents
        $files.Record.Outcome | Should -Be 'Recovered'
        $files.Record.Reason | Should -Be 'Keys leaked in a build log'
        $files.Markdown | Should -BeLike '*# Incident record: Procedure 3*'
        $files.Markdown | Should -BeLike '*Revoke the old value of STRIPE_SECRET_KEY*'
        foreach ($secret in @($newKeys.Values) + $env:STRIPE_SECRET_KEY + $env:RESEND_API_KEY + $env:SUPABASE_SERVICE_ROLE_KEY + $env:VERCEL_TOKEN) {
            $files.Text | Should -Not -BeLike "*$secret*"
            ($record | ConvertTo-Json -Depth 6) | Should -Not -BeLike "*$secret*"
        }
        Should -Invoke Get-AutomationVariable -ParameterFilter { $Name -eq 'STRIPE_SECRET_KEY' }
    }

    It 'changes and writes nothing with -WhatIf, after testing the new keys' {
        $record = & $runbook -IncidentPath $incidents -SecretName RESEND_API_KEY, STRIPE_SECRET_KEY -WhatIf

        $record.Outcome | Should -Be 'WhatIf'
        ($record.Steps | Where-Object Name -Like 'Set * in Vercel').Status | Should -Be 'Skipped', 'Skipped'
        ($record.Steps | Where-Object Name -Like 'Before the change: *').Status | Should -Be 'Succeeded', 'Succeeded'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be (Get-SampleVariableValues).STRIPE_SECRET_KEY
        Get-ProductionDeployments | Should -HaveCount 1
        Test-Path $incidents | Should -BeFalse
    }

    It 'stops before changing anything when a new key is refused, and records why' {
        Mock Get-AutomationVariable { if ($Name -eq 'STRIPE_SECRET_KEY') { 'sk_test_typo_in_new_key_9999' } }

        $err = Get-ThrownError { & $runbook -IncidentPath $incidents -SecretName STRIPE_SECRET_KEY, RESEND_API_KEY }

        $err.FullyQualifiedErrorId | Should -BeLike 'CredentialRecoveryNewKeyRefused*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be (Get-SampleVariableValues).STRIPE_SECRET_KEY
        Get-ProductionDeployments | Should -HaveCount 1
        $files = Get-IncidentRecord $incidents
        $files.Record.Outcome | Should -Be 'Failed'
        $files.Record.ErrorId | Should -BeLike 'CredentialRecoveryNewKeyRefused*'
        ($files.Record.steps | Where-Object name -EQ 'Before the change: Stripe SecretKey').errorId | Should -Be 'StripeKeyInvalid'
        ($files.Record.steps | Where-Object name -EQ 'Test the new keys').status | Should -Be 'Failed'
        $files.Record.steps.name | Should -Not -BeLike 'Set * in Vercel'
        $files.Text | Should -Not -BeLike '*sk_test_typo_in_new_key_9999*'
    }

    It 'fails clearly when a named secret has no new value' {
        Mock Get-AutomationVariable { }
        $env:SUPABASE_SERVICE_ROLE_KEY = $null

        $err = Get-ThrownError { & $runbook -IncidentPath $incidents -SecretName SUPABASE_SERVICE_ROLE_KEY -Target production }

        $err.FullyQualifiedErrorId | Should -Be 'SettingMissing,Hotmess.Recovery.Cmdlets.Commands.GetHotmessSettingCommand'
        $err.TargetObject | Should -Be 'SUPABASE_SERVICE_ROLE_KEY'
        $record = (Get-IncidentRecord $incidents).Record
        $record.Outcome | Should -Be 'Failed'
        $record.steps.name | Should -Be 'Read the new secrets'
        $record.steps.status | Should -Be 'Failed'
    }

    It 'refuses to guess which secrets changed' {
        $err = Get-ThrownError { & $runbook -IncidentPath $incidents }

        $err.FullyQualifiedErrorId | Should -BeLike 'MissingMandatoryParameter*'
        $err.Exception.Message | Should -BeLike '*SecretName*'
        Get-ProductionDeployments | Should -HaveCount 1
    }

    It 'fails with Vercel''s error, recorded, when the token is refused' {
        $env:VERCEL_TOKEN = 'wrong-vercel-token'

        $err = Get-ThrownError { & $runbook -IncidentPath $incidents -SecretName STRIPE_SECRET_KEY }

        $err.FullyQualifiedErrorId | Should -BeLike 'VercelAuthenticationFailed,*'
        $err.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $files = Get-IncidentRecord $incidents
        $files.Record.ErrorId | Should -BeLike 'VercelAuthenticationFailed*'
        $files.Text | Should -Not -BeLike '*wrong-vercel-token*'
    }

    It 'records a failed redeploy and fails the job' {
        Invoke-FakeControl $fake vercel builds/fail @{ count = 1 } | Out-Null

        $err = Get-ThrownError { & $runbook -IncidentPath $incidents -SecretName STRIPE_SECRET_KEY }

        $err.FullyQualifiedErrorId | Should -BeLike 'VercelDeploymentFailed,*'
        $files = Get-IncidentRecord $incidents
        $files.Record.Outcome | Should -Be 'Failed'
        $set = $files.Record.steps | Where-Object name -EQ 'Set STRIPE_SECRET_KEY in Vercel'
        $set.status | Should -Be 'Succeeded'
        $set.detail | Should -Be 'For production, preview, development.'
        $files.Record.steps[-1].name | Should -Be 'Redeploy production'
        $files.Record.steps[-1].status | Should -Be 'Failed'
    }

    It 'records integrations still failing after the redeploy and fails the job' {
        Invoke-FakeControl $fake stripe reset | Out-Null
        Invoke-FakeControl $fake stripe keys @{ key = $newKeys.STRIPE_SECRET_KEY } | Out-Null
        Invoke-FakeControl $fake stripe webhook-endpoints @{ endpoints = @(@{ url = "$($fake.Url)/api/stripe/webhook"; status = 'disabled' }) } | Out-Null

        $err = Get-ThrownError { & $runbook -IncidentPath $incidents -SecretName STRIPE_SECRET_KEY }

        $err.FullyQualifiedErrorId | Should -BeLike 'CredentialRecoveryIntegrationFailed*'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be $newKeys.STRIPE_SECRET_KEY
        $files = Get-IncidentRecord $incidents
        $files.Record.Outcome | Should -Be 'IntegrationsFailing'
        ($files.Record.steps | Where-Object { $_.status -eq 'Failed' -and $_.name -like 'After the redeploy: *' }).errorId | Should -Be 'StripeWebhookEndpointDisabled'
        $files.Markdown | Should -BeLike '*Fix Stripe WebhookEndpoint*'
    }

    It 'runs to the end in a host that cannot prompt' {
        # A runspace without a host, as in a scheduled job: any prompt fails the run. Its own stand-in for Automation.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Runbook, $Incidents, $NewKey)
                    function Get-AutomationVariable { param([string] $Name) if ($Name -eq 'RESEND_API_KEY') { $NewKey } }
                    & $Runbook -IncidentPath $Incidents -SecretName RESEND_API_KEY
                }.ToString()).AddArgument($runbook).AddArgument($incidents).AddArgument($newKeys.RESEND_API_KEY)
            $output = $ps.Invoke()

            $ps.Streams.Error | Should -BeNullOrEmpty
            $output.Outcome | Should -Be 'Recovered'
        }
        finally {
            $ps.Dispose()
        }
        (Get-VercelVariable $fake RESEND_API_KEY)[0].value | Should -Be $newKeys.RESEND_API_KEY
    }
}

Describe 'Invoke-HotmessCredentialRecovery outside Azure Automation' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        Add-SampleVercelVariables $fake
        Invoke-FakeControl $fake resend keys @{ key = $newKeys.RESEND_API_KEY } | Out-Null
        $incidents = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
    }

    It 'reads the new keys from the environment' {
        Get-Command Get-AutomationVariable -ErrorAction Ignore | Should -BeNullOrEmpty
        $env:RESEND_API_KEY = $newKeys.RESEND_API_KEY

        $record = & $runbook -IncidentPath $incidents -SecretName RESEND_API_KEY

        $record.Outcome | Should -Be 'Recovered'
        (Get-VercelVariable $fake RESEND_API_KEY)[0].value | Should -Be $newKeys.RESEND_API_KEY
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be (Get-SampleVariableValues).STRIPE_SECRET_KEY
    }

    It 'writes an incident record of the same shape as the application rollback runbook' {
        $env:RESEND_API_KEY = $newKeys.RESEND_API_KEY
        Invoke-FakeControl $fake vercel deployments @{ deployments = @(@{ uid = 'dpl_live'; target = 'production' }, @{ uid = 'dpl_previous'; target = 'production' }) } | Out-Null
        $rollbackRunbook = Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessApplicationRollback.ps1'

        $credential = & $runbook -IncidentPath $incidents -SecretName RESEND_API_KEY
        $rollback = & $rollbackRunbook -IncidentPath $incidents -DeploymentId dpl_previous

        $credential.Outcome | Should -Be 'Recovered'
        $rollback.Outcome | Should -Be 'RolledBack'
        $records = foreach ($record in $credential, $rollback) { Get-Content -Raw (Join-Path $incidents "$($record.Id).json") | ConvertFrom-Json }
        $records[0].PSObject.Properties.Name | Should -Be $records[1].PSObject.Properties.Name
        $records[0].steps[0].PSObject.Properties.Name | Should -Be $records[1].steps[0].PSObject.Properties.Name
        $records[0].PSObject.Properties.Name | Should -Contain 'steps'
    }
}
