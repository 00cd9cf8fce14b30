#Requires -Version 7.4
# The Procedure 2 runbook end to end against the Vercel fake: settings from Azure Automation variables (a stub
# function, mocked) or from the environment, the incident record, -WhatIf, and its failures.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Application/VercelFake.ps1')
    $runbook = (Resolve-Path (Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessApplicationRollback.ps1')).ProviderPath
    $fake = Start-VercelTestFake
    $token = 'vercel-test-token'

    function Reset-Deployments {
        Reset-VercelTestFake $fake -Deployment @(
            @{ uid = 'dpl_broken'; target = 'production'; healthy = $false }
            @{ uid = 'dpl_failed_build'; target = 'production'; state = 'ERROR' }
            @{ uid = 'dpl_good'; target = 'production' }
            @{ uid = 'dpl_older'; target = 'production' }
        )
    }

    function Clear-Settings {
        foreach ($name in 'VERCEL_TOKEN', 'VERCEL_PROJECT_ID', 'VERCEL_TEAM_ID', 'VERCEL_API_URL', 'HOTMESS_SITE_URL', 'HOTMESS_CONFIG') {
            [Environment]::SetEnvironmentVariable($name, $null)
        }
    }

    function Invoke-Runbook {
        # Runs the runbook; returns what it wrote before ending, and the error it ended with (if any).
        param([hashtable] $Parameters = @{})
        $output = [System.Collections.Generic.List[object]]::new()
        $thrown = $null
        try { & $runbook @Parameters | ForEach-Object { $output.Add($_) } } catch { $thrown = $_ }
        [pscustomobject]@{ Output = $output.ToArray(); Error = $thrown }
    }

    function Get-CurrentProduction { (Invoke-VercelControl $fake -Method Get -Path state).currentProductionId }
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'The runbook as a job' {
    BeforeEach {
        Reset-Deployments
        Set-VercelTestEnvironment $fake
    }

    It 'ends the job at the first error, before changing anything' {
        # Azure Automation without the module imported into the account: Import-Module only writes an error.
        function Import-Module { param([string] $Name) Write-Error "The module '$Name' is not imported into this Automation account." }

        $run = Invoke-Runbook

        $run.Error.Exception.Message | Should -BeLike "*module 'HotmessRecovery' is not imported*"
        $run.Output | Should -BeNullOrEmpty
        Get-CurrentProduction | Should -Be 'dpl_broken'
    }

    It 'runs to the end in a host that cannot prompt, writing no progress' {
        # A runspace without a host, as in a scheduled job: any prompt fails the run.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($Runbook) $ProgressPreference = "Continue"; & $Runbook -Reason "Checkout broken"').AddArgument($runbook)
            $output = $ps.Invoke()

            $ps.Streams.Error | Should -BeNullOrEmpty
            $output.Outcome | Should -Be 'RolledBack'
            $ps.Streams.Progress | Should -BeNullOrEmpty
        }
        finally {
            $ps.Dispose()
        }
        Get-CurrentProduction | Should -Be 'dpl_good'
    }
}

Describe 'Invoke-HotmessApplicationRollback outside Azure Automation' {
    BeforeEach {
        Reset-Deployments
        Set-VercelTestEnvironment $fake
    }

    It 'takes its settings from the environment, rolls back and writes the incident record' {
        Get-Command Get-AutomationVariable -ErrorAction Ignore | Should -BeNullOrEmpty

        $run = Invoke-Runbook @{ Reason = 'Checkout broken' }

        $run.Error | Should -BeNullOrEmpty
        $run.Output | Should -HaveCount 1
        $record = $run.Output[0]
        $record | Should -BeOfType ([Hotmess.Recovery.Incidents.IncidentRecord])
        $record.Outcome | Should -Be 'RolledBack'
        $record.Reason | Should -Be 'Checkout broken'
        $record.Facts.FromDeploymentId | Should -Be 'dpl_broken'
        $record.Facts.ToDeploymentId | Should -Be 'dpl_good'
        $record.Facts.Healthy | Should -Be 'True'
        $record.Steps.Name | Should -Be 'Roll back production'
        $record.Steps[0].Status | Should -Be 'Succeeded'
        $record.Steps[0].Detail | Should -Match 'Rolled production back from dpl_broken'
        [Hotmess.Recovery.Incidents.IncidentRecordRenderer]::RenderJson($record) | Should -Not -Match $token
        Get-CurrentProduction | Should -Be 'dpl_good'
    }

    It 'writes the incident record to -IncidentPath as Markdown and JSON' {
        $incidents = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))

        $record = (Invoke-Runbook @{ IncidentPath = $incidents }).Output[0]

        $json = Get-Content -Raw (Join-Path $incidents "$($record.Id).json") | ConvertFrom-Json
        $json.outcome | Should -Be 'RolledBack'
        $json.facts.ToDeploymentId | Should -Be 'dpl_good'
        Get-Content -Raw (Join-Path $incidents "$($record.Id).md") | Should -BeLike '*# Incident record: Procedure 2: Application Rollback*'
    }

    It 'changes nothing with -WhatIf and says so in the record' {
        $incidents = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))

        $run = Invoke-Runbook @{ WhatIf = $true; IncidentPath = $incidents }

        $run.Error | Should -BeNullOrEmpty
        $run.Output.Outcome | Should -Be 'WhatIf'
        $run.Output.Steps[0].Status | Should -Be 'Skipped'
        $incidents | Should -Not -Exist
        Get-CurrentProduction | Should -Be 'dpl_broken'
        @(Invoke-VercelControl $fake -Method Get -Path requests | Where-Object path -Like '*/rollback/*') | Should -BeNullOrEmpty
    }

    It 'fails the job after writing a Failed record when Vercel reports the rollback failed' {
        Invoke-VercelControl $fake -Method Patch -Path deployments/dpl_good -Body @{ rollbackFails = $true } | Out-Null

        $run = Invoke-Runbook

        $run.Error.FullyQualifiedErrorId | Should -BeLike 'VercelRollbackFailed,*'
        $run.Output.Outcome | Should -Be 'Failed'
        $run.Output.ErrorId | Should -BeLike 'VercelRollbackFailed,*'
        $run.Output.Steps[0].Status | Should -Be 'Failed'
        Get-CurrentProduction | Should -Be 'dpl_broken'
    }

    It 'fails the job when there is no earlier working deployment' {
        Reset-VercelTestFake $fake -Deployment @{ uid = 'dpl_only'; target = 'production' }

        $run = Invoke-Runbook

        $run.Error.FullyQualifiedErrorId | Should -BeLike 'VercelNoRollbackCandidate,*'
        $run.Output.Outcome | Should -Be 'Failed'
    }

    It 'fails the job when the site is still unhealthy after the rollback' {
        Invoke-VercelControl $fake -Path site -Body @{ healthy = $false } | Out-Null

        $run = Invoke-Runbook @{ HealthCheckTimeoutSeconds = 1 }

        $run.Output.Outcome | Should -Be 'RolledBackUnhealthy'
        $run.Output.Facts.Healthy | Should -Be 'False'
        $run.Output.NextSteps | Should -BeLike '*still unhealthy*'
        "$($run.Error)" | Should -Match 'still unhealthy'
        Get-CurrentProduction | Should -Be 'dpl_good'
    }

    It 'ends AlreadyCurrent when restarted after rolling back to the named deployment' {
        (Invoke-Runbook @{ DeploymentId = 'dpl_older' }).Output.Outcome | Should -Be 'RolledBack'

        $restart = Invoke-Runbook @{ DeploymentId = 'dpl_older' }

        $restart.Error | Should -BeNullOrEmpty
        $restart.Output.Outcome | Should -Be 'AlreadyCurrent'
        $restart.Output.Facts.ToDeploymentId | Should -Be 'dpl_older'
        Get-CurrentProduction | Should -Be 'dpl_older'
    }

    It 'fails clearly with no token anywhere' {
        $env:VERCEL_TOKEN = $null

        $run = Invoke-Runbook

        $run.Error.FullyQualifiedErrorId | Should -BeLike 'VercelTokenMissing,*'
        $run.Output.Outcome | Should -Be 'Failed'
    }
}

Describe 'Invoke-HotmessApplicationRollback in Azure Automation' {
    BeforeAll {
        # The Automation sandbox's cmdlet, stubbed so Pester can mock it.
        function Get-AutomationVariable {
            param([Parameter(Mandatory)] [string] $Name)
            throw "Get-AutomationVariable exists only in Azure Automation."
        }
    }

    BeforeEach {
        Reset-Deployments
        Clear-Settings
        $automation = @{
            VERCEL_TOKEN      = $token
            VERCEL_PROJECT_ID = 'prj_hotmess'
            VERCEL_API_URL    = $fake.Url
            HOTMESS_SITE_URL  = $fake.Url
        }
        Mock Get-AutomationVariable {
            if (-not $automation.ContainsKey($Name)) { throw "Variable '$Name' was not found." }
            $automation[$Name]
        }
    }

    AfterAll {
        Clear-Settings
    }

    It 'reads the token and settings from Automation variables' {
        $run = Invoke-Runbook

        $run.Error | Should -BeNullOrEmpty
        $run.Output.Outcome | Should -Be 'RolledBack'
        $run.Output.Facts.ToDeploymentId | Should -Be 'dpl_good'
        Should -Invoke Get-AutomationVariable -ParameterFilter { $Name -eq 'VERCEL_TOKEN' } -Exactly -Times 1
        Should -Invoke Get-AutomationVariable -ParameterFilter { $Name -eq 'VERCEL_PROJECT_ID' } -Exactly -Times 1
    }

    It 'falls back to the environment for a setting that has no Automation variable' {
        $automation.Remove('VERCEL_API_URL')
        $automation.Remove('HOTMESS_SITE_URL')
        $env:VERCEL_API_URL = $fake.Url
        $env:HOTMESS_SITE_URL = $fake.Url

        $run = Invoke-Runbook

        $run.Error | Should -BeNullOrEmpty
        $run.Output.Outcome | Should -Be 'RolledBack'
        Should -Invoke Get-AutomationVariable -ParameterFilter { $Name -eq 'VERCEL_API_URL' } -Exactly -Times 1
    }

    It 'prefers the Automation variable over the environment' {
        $env:VERCEL_TOKEN = 'stale-token-from-the-environment'

        (Invoke-Runbook).Output.Outcome | Should -Be 'RolledBack'
    }

    It 'fails clearly with a wrong token, changing nothing' {
        $automation.VERCEL_TOKEN = 'wrong-token'

        $run = Invoke-Runbook

        $run.Error.FullyQualifiedErrorId | Should -BeLike 'VercelAuthenticationFailed,*'
        $run.Error.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $run.Output.Outcome | Should -Be 'Failed'
        "$($run.Output.Error)" | Should -Not -Match 'wrong-token'
        Get-CurrentProduction | Should -Be 'dpl_broken'
    }

    It 'fails clearly when Vercel keeps rate limiting, changing nothing' {
        Invoke-VercelControl $fake -Path rate-limit -Body @{ count = 20; retryAfterSeconds = 0 } | Out-Null

        $run = Invoke-Runbook

        $run.Error.FullyQualifiedErrorId | Should -BeLike 'VercelRateLimited,*'
        $run.Output.Outcome | Should -Be 'Failed'
        Get-CurrentProduction | Should -Be 'dpl_broken'
    }
}
