#Requires -Version 7.4
# Invoke-HotmessRedeploy end to end against the Vercel fake.

BeforeAll {
    . (Join-Path $PSScriptRoot 'VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-VercelTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessRedeployCommand'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'Invoke-HotmessRedeploy' {
    BeforeEach {
        Set-VercelTestEnvironment $fake
        Reset-VercelTestFake $fake -Deployment @(
            @{ uid = 'dpl_current'; target = 'production' }
            @{ uid = 'dpl_preview'; target = 'preview' }
        )
    }

    It 'rebuilds the production deployment and, with -Wait, returns it READY and serving' {
        $created = Invoke-HotmessRedeploy -Wait

        $created.DeploymentId | Should -Not -Be 'dpl_current'
        $created.State | Should -Be 'READY'
        $created.Target | Should -Be 'production'
        $created.Action | Should -Be 'redeploy'
        (Invoke-VercelControl $fake -Method Get -Path state).currentProductionId | Should -Be $created.DeploymentId
    }

    It 'returns the queued deployment at once without -Wait' {
        (Invoke-HotmessRedeploy).State | Should -Be 'QUEUED'
    }

    It 'rebuilds a deployment piped from Get-HotmessDeployment, for the target asked' {
        $created = Get-HotmessDeployment -DeploymentId dpl_preview | Invoke-HotmessRedeploy -Target production -Wait

        $created.Target | Should -Be 'production'
    }

    It 'creates nothing with -WhatIf' {
        Invoke-HotmessRedeploy -WhatIf | Should -BeNullOrEmpty

        @(Invoke-VercelControl $fake -Method Get -Path requests | Where-Object method -EQ 'POST') | Should -BeNullOrEmpty
    }

    It 'fails clearly when the build ends in ERROR' {
        Invoke-VercelControl $fake -Path builds/fail -Body @{ count = 1 } | Out-Null

        $thrown = Get-ThrownError { Invoke-HotmessRedeploy -Wait }

        $thrown.FullyQualifiedErrorId | Should -Be "VercelDeploymentFailed,$command"
        $thrown.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $thrown.Exception.Message | Should -Match 'BUILD_FAILED'
    }

    It 'fails clearly for an unknown deployment' {
        (Get-ThrownError { Invoke-HotmessRedeploy -DeploymentId dpl_nowhere }).FullyQualifiedErrorId |
            Should -Be "VercelDeploymentNotFound,$command"
    }
}
