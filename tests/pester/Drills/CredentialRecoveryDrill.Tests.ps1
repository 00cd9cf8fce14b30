#Requires -Version 7.4
# The credential drill end to end against the fakes: Vercel (the drill project), Stripe, Resend and Supabase.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    Import-Module HotmessRecovery -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessRecoveryDrillCommand'
    $fake = Start-PlatformTestFake
    $repository = Join-Path $TestDrive 'drills'

    function Get-FakeDeployments { @((Invoke-FakeControl $fake vercel state -Method Get).deployments | ForEach-Object { $_ }) }
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Invoke-HotmessRecoveryDrill CredentialRecovery' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        # The drill project, not production's prj_hotmess.
        Invoke-FakeControl $fake vercel reset @{ projectId = 'prj_hotmess_drill'; projectName = 'hotmess-drill'; stepMs = 100 } | Out-Null
        Invoke-FakeControl $fake vercel deployments @{ deployments = @(@{ uid = 'dpl_live'; target = 'production' }) } | Out-Null
    }

    It 'sets the keys in the drill project, redeploys it, tests every integration, removes what it created, and passes' {
        $drill = Invoke-HotmessRecoveryDrill CredentialRecovery -Repository $repository -VercelProjectId prj_hotmess_drill -SecretName STRIPE_SECRET_KEY, RESEND_API_KEY

        $drill.Passed | Should -BeTrue -Because ($drill.Findings + $drill.Improvements -join ' ')
        $drill.RtoObjective | Should -Be ([TimeSpan]::FromHours(48))
        $drill.RpoObjective | Should -BeNullOrEmpty
        $drill.Rpo | Should -Be ([TimeSpan]::Zero)
        $drill.Steps.Name | Should -Be @(
            'Simulate the failure: the credentials are compromised'
            'Test the replacement keys'
            'Set the keys in the drill project'
            'Redeploy the drill project'
            'Test every integration'
            'Remove the variables the drill created')
        $drill.Steps[1].Detail | Should -Be 'Stripe SecretKey, Resend ApiKey passed.'
        @(Get-FakeDeployments | Where-Object target -EQ 'production').Count | Should -Be 2
        Get-VercelVariable $fake STRIPE_SECRET_KEY | Should -BeNullOrEmpty
        Get-VercelVariable $fake RESEND_API_KEY | Should -BeNullOrEmpty
        $report = Get-Content -Raw $drill.ReportPath
        $report | Should -Not -Match $env:STRIPE_SECRET_KEY
        $report | Should -Not -Match $env:RESEND_API_KEY
        (Get-Content -Raw (Join-Path (Split-Path $drill.ReportPath) 'manifest.json')) | Should -Not -Match $env:STRIPE_SECRET_KEY
    }

    It 'keeps a variable the project had, with the replacement value' {
        Invoke-FakeControl $fake vercel env @{ variables = @(@{ key = 'STRIPE_SECRET_KEY'; value = 'sk_test_old_value'; type = 'encrypted'; target = @('production') }) } | Out-Null

        $drill = Invoke-HotmessRecoveryDrill CredentialRecovery -Repository $repository -VercelProjectId prj_hotmess_drill -SecretName STRIPE_SECRET_KEY

        $drill.Passed | Should -BeTrue
        $drill.Steps.Name | Should -Not -Contain 'Remove the variables the drill created'
        (Get-VercelVariable $fake STRIPE_SECRET_KEY)[0].value | Should -Be $env:STRIPE_SECRET_KEY
    }

    It 'fails at the key test and changes nothing when a replacement key is refused' {
        $env:STRIPE_SECRET_KEY = 'sk_test_not_a_key_the_fake_knows'

        $drill = Invoke-HotmessRecoveryDrill CredentialRecovery -Repository $repository -VercelProjectId prj_hotmess_drill -SecretName STRIPE_SECRET_KEY -WarningAction SilentlyContinue

        $drill.Passed | Should -BeFalse
        $drill.Steps[-1].ErrorId | Should -Be 'DrillKeyRefused'
        $drill.Steps.Count | Should -Be 2
        Get-VercelVariable $fake STRIPE_SECRET_KEY | Should -BeNullOrEmpty
        @(Get-FakeDeployments).Count | Should -Be 1
        (Get-HotmessDrill -Repository $repository -Id $drill.Id).Passed | Should -BeFalse
    }

    It 'refuses the production project' {
        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill CredentialRecovery -Repository $repository -VercelProjectId prj_hotmess -SecretName RESEND_API_KEY }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillTargetIsProduction,$command"
    }

    It 'refuses to run without a credential to declare compromised' {
        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill CredentialRecovery -Repository $repository -VercelProjectId prj_hotmess_drill }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillSecretNameMissing,$command"
    }
}
