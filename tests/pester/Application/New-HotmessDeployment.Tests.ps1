#Requires -Version 7.4
# New-HotmessDeployment end to end against the Vercel fake (which also answers the site's /api/health).

BeforeAll {
    . (Join-Path $PSScriptRoot 'VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-VercelTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.NewHotmessDeploymentCommand'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    function Get-CreateRequest {
        @(Invoke-VercelControl $fake -Method Get -Path requests | Where-Object { $_.method -eq 'POST' -and $_.path -eq '/v13/deployments' })
    }
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'New-HotmessDeployment' {
    BeforeEach {
        Set-VercelTestEnvironment $fake
        Reset-VercelTestFake $fake -Deployment @(
            @{ uid = 'dpl_current'; target = 'production' }
            @{ uid = 'dpl_old'; target = 'production' }
        )
    }

    It 'builds main from the linked repository, and with -Production returns it READY, serving production and healthy' {
        $deployment = New-HotmessDeployment -GitRef main -Production -PollIntervalSeconds 1

        $deployment.Id | Should -Match '^dpl_'
        $deployment.State | Should -Be 'READY'
        $deployment.Target | Should -Be 'production'
        $deployment.GitRef | Should -Be 'main'
        $deployment.Url | Should -Match '^https://'
        $deployment.Healthy | Should -BeTrue
        $deployment.ServingProduction | Should -BeTrue
        $deployment.Duration | Should -BeOfType [timespan]
        (Invoke-VercelControl $fake -Method Get -Path state).currentProductionId | Should -Be $deployment.Id
        Get-CreateRequest | Should -HaveCount 1
    }

    It 'builds the project''s production branch when no ref is given, as a preview without -Production' {
        Invoke-VercelControl $fake -Path reset -Body @{ stepMs = 150; link = @{ type = 'github'; org = 'hotmess-london'; repo = 'hotmess'; repoId = 734512; productionBranch = 'release'; refs = @('release') } } | Out-Null

        $deployment = New-HotmessDeployment -PollIntervalSeconds 1

        $deployment.GitRef | Should -Be 'release'
        $deployment.Target | Should -BeNullOrEmpty
        $deployment.Healthy | Should -BeNullOrEmpty
        (Invoke-VercelControl $fake -Method Get -Path state).currentProductionId | Should -BeNullOrEmpty
    }

    It 'creates nothing with -WhatIf and names the repository and ref it would build' {
        $records = New-HotmessDeployment -GitRef develop -Production -WhatIf -Verbose 4>&1
        $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }) -join "`n"

        Get-CreateRequest | Should -BeNullOrEmpty
        @($records | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
        $verbose | Should -Match 'hotmess-london/hotmess'
        $verbose | Should -Match "'develop' as a production deployment"
    }

    It 'fails clearly with the build''s error when the build ends in ERROR' {
        Invoke-VercelControl $fake -Path builds/fail -Body @{ count = 1 } | Out-Null

        $thrown = Get-ThrownError { New-HotmessDeployment -GitRef main -Production -PollIntervalSeconds 1 }

        $thrown.FullyQualifiedErrorId | Should -Be "VercelDeploymentFailed,$command"
        $thrown.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $thrown.Exception.Message | Should -Match 'npm run build'
        (Invoke-VercelControl $fake -Method Get -Path state).currentProductionId | Should -Be 'dpl_current'
    }

    It 'refuses a project without a connected repository' {
        Invoke-VercelControl $fake -Path reset -Body @{ stepMs = 150; link = $null } | Out-Null

        (Get-ThrownError { New-HotmessDeployment -Production }).FullyQualifiedErrorId | Should -Be "VercelProjectNotLinked,$command"
        Get-CreateRequest | Should -BeNullOrEmpty
    }

    It 'returns the deployment and writes DeploymentSiteUnhealthy when the site answers unhealthy' {
        Invoke-VercelControl $fake -Path site -Body @{ healthy = $false } | Out-Null

        $deployment = New-HotmessDeployment -Production -PollIntervalSeconds 1 -HealthCheckTimeoutSeconds 2 -ErrorVariable problems -ErrorAction SilentlyContinue

        $deployment.Healthy | Should -BeFalse
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -Be "DeploymentSiteUnhealthy,$command"
    }

    It 'skips the health check with -SkipHealthCheck' {
        Invoke-VercelControl $fake -Path site -Body @{ healthy = $false } | Out-Null

        $deployment = New-HotmessDeployment -Production -SkipHealthCheck -PollIntervalSeconds 1 -ErrorVariable problems

        $deployment.Healthy | Should -BeNullOrEmpty
        $problems | Should -BeNullOrEmpty
    }
}
