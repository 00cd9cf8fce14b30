#Requires -Version 7.4
# Invoke-HotmessRollback end to end against the Vercel fake, which also plays the site's /api/health.

BeforeAll {
    . (Join-Path $PSScriptRoot 'VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-VercelTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessRollbackCommand'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    function Get-FakeState { Invoke-VercelControl $fake -Method Get -Path state }

    function Get-RollbackRequest { @(Invoke-VercelControl $fake -Method Get -Path requests | Where-Object path -Like '*/rollback/*') }
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'Invoke-HotmessRollback' {
    BeforeEach {
        Set-VercelTestEnvironment $fake
        Reset-VercelTestFake $fake -Deployment @(
            @{ uid = 'dpl_broken'; target = 'production'; healthy = $false }
            @{ uid = 'dpl_failed_build'; target = 'production'; state = 'ERROR' }
            @{ uid = 'dpl_preview'; target = 'preview' }
            @{ uid = 'dpl_good'; target = 'production' }
            @{ uid = 'dpl_older'; target = 'production' }
        )
    }

    It 'rolls production back to the last working deployment, waits, and finds the site healthy' {
        (Invoke-RestMethod "$($fake.Url)/api/health" -SkipHttpErrorCheck).status | Should -Be 'unhealthy'

        $result = Invoke-HotmessRollback -Force

        $result | Should -BeOfType 'Hotmess.Recovery.Platform.Vercel.RollbackResult'
        $result.FromDeploymentId | Should -Be 'dpl_broken'
        $result.ToDeploymentId | Should -Be 'dpl_good'
        $result.Status | Should -Be 'succeeded'
        $result.Healthy | Should -BeTrue
        $result.HealthDetail | Should -Be '200 OK: ok'
        $result.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        (Get-FakeState).currentProductionId | Should -Be 'dpl_good'
    }

    It 'changes nothing with -WhatIf, even with -Force' {
        $result = Invoke-HotmessRollback -Force -WhatIf

        $result | Should -BeNullOrEmpty
        Get-RollbackRequest | Should -BeNullOrEmpty
        (Get-FakeState).currentProductionId | Should -Be 'dpl_broken'
    }

    It 'takes the target from the pipeline and -Confirm:$false answers the prompt' {
        $result = Get-HotmessDeployment -DeploymentId dpl_older | Invoke-HotmessRollback -Confirm:$false

        $result.ToDeploymentId | Should -Be 'dpl_older'
        (Get-FakeState).currentProductionId | Should -Be 'dpl_older'
    }

    It 'declares ConfirmImpact High' {
        $attribute = (Get-Command Invoke-HotmessRollback).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $attribute.ConfirmImpact | Should -Be 'High'
    }

    It 'reports a site still unhealthy afterwards in the result and as a warning' {
        Invoke-VercelControl $fake -Path site -Body @{ healthy = $false } | Out-Null

        $result = Invoke-HotmessRollback -Force -HealthCheckTimeout '00:00:01' -WarningVariable warnings -WarningAction SilentlyContinue

        $result.Status | Should -Be 'succeeded'
        $result.Healthy | Should -BeFalse
        $result.HealthDetail | Should -Match '^503'
        "$warnings" | Should -Match 'unhealthy'
    }

    Context 'bad input' {
        It 'refuses an unknown deployment before asking Vercel to roll back' {
            $thrown = Get-ThrownError { Invoke-HotmessRollback -DeploymentId dpl_nowhere -Force }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelDeploymentNotFound,$command"
            $thrown.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $thrown.TargetObject | Should -Be 'dpl_nowhere'
            Get-RollbackRequest | Should -BeNullOrEmpty
        }

        It 'refuses a deployment that is not READY' {
            $thrown = Get-ThrownError { Invoke-HotmessRollback -DeploymentId dpl_failed_build -Force }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelDeploymentNotReady,$command"
            $thrown.CategoryInfo.Category | Should -Be 'InvalidOperation'
        }

        It 'says so when there is no earlier READY production deployment' {
            Reset-VercelTestFake $fake -Deployment @(
                @{ uid = 'dpl_only'; target = 'production' }
                @{ uid = 'dpl_preview'; target = 'preview' }
                @{ uid = 'dpl_failed_build'; target = 'production'; state = 'ERROR' }
            )

            $thrown = Get-ThrownError { Invoke-HotmessRollback -Force }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelNoRollbackCandidate,$command"
            $thrown.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $thrown.Exception.Message | Should -Match 'older than dpl_only'
        }

        It 'fails clearly when Vercel reports the rollback failed, and production stays' {
            Invoke-VercelControl $fake -Method Patch -Path deployments/dpl_good -Body @{ rollbackFails = $true } | Out-Null

            $thrown = Get-ThrownError { Invoke-HotmessRollback -Force }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelRollbackFailed,$command"
            $thrown.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $thrown.Exception.Message | Should -Match 'hotmess\.london'
            (Get-FakeState).currentProductionId | Should -Be 'dpl_broken'
        }

        It 'times out when the rollback never ends' {
            Invoke-VercelControl $fake -Method Patch -Path deployments/dpl_good -Body @{ rollbackHangs = $true } | Out-Null

            $thrown = Get-ThrownError { Invoke-HotmessRollback -Force -Timeout '00:00:01' }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelAliasRequestTimedOut,$command"
            $thrown.CategoryInfo.Category | Should -Be 'OperationTimeout'
        }

        It 'fails as rate limited when Vercel keeps answering 429, before any rollback' {
            Invoke-VercelControl $fake -Path rate-limit -Body @{ count = 10; retryAfterSeconds = 0 } | Out-Null

            $thrown = Get-ThrownError { Invoke-HotmessRollback -Force -WarningAction SilentlyContinue }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelRateLimited,$command"
            $thrown.CategoryInfo.Category | Should -Be 'LimitsExceeded'
            (Get-FakeState).currentProductionId | Should -Be 'dpl_broken'
        }

        It 'fails clearly with a wrong token' {
            $thrown = Get-ThrownError { Invoke-HotmessRollback -Force -Token (ConvertTo-SecureString 'nope' -AsPlainText -Force) }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelAuthenticationFailed,$command"
            (Get-FakeState).currentProductionId | Should -Be 'dpl_broken'
        }
    }
}
