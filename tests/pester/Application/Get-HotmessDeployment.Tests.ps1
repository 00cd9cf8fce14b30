#Requires -Version 7.4
# Get-HotmessDeployment end to end against the Vercel fake.

BeforeAll {
    . (Join-Path $PSScriptRoot 'VercelFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-VercelTestFake
    $command = 'Hotmess.Recovery.Cmdlets.Commands.GetHotmessDeploymentCommand'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }
}

AfterAll {
    Stop-VercelTestFake $fake
}

Describe 'Get-HotmessDeployment' {
    BeforeEach {
        Set-VercelTestEnvironment $fake
        $production = 0..44 | ForEach-Object { @{ uid = 'dpl_p{0:00}' -f $_; target = 'production'; ageMinutes = 2 * $_ + 2 } }
        $others = @(
            @{ uid = 'dpl_preview'; target = 'preview'; ageMinutes = 1 }
            @{ uid = 'dpl_broken_build'; target = 'production'; state = 'ERROR'; ageMinutes = 3 }
        )
        Reset-VercelTestFake $fake -Deployment ($production + $others)
    }

    It 'lists deployments newest first, past the first page of Vercel''s pagination' {
        $deployments = Get-HotmessDeployment -Target production -State READY -First 45

        $deployments.DeploymentId | Should -Be (0..44 | ForEach-Object { 'dpl_p{0:00}' -f $_ })
        $deployments[0] | Should -BeOfType 'Hotmess.Recovery.Platform.Vercel.VercelDeployment'
        $deployments | ForEach-Object { $_.Target | Should -Be 'production' }
    }

    It 'returns the 20 newest by default and as many as -First asks' {
        (Get-HotmessDeployment).Count | Should -Be 20
        (Get-HotmessDeployment -First 3).DeploymentId | Should -Be 'dpl_preview', 'dpl_p00', 'dpl_broken_build'
    }

    It 'keeps only the states and target asked for' {
        (Get-HotmessDeployment -State ERROR).DeploymentId | Should -Be 'dpl_broken_build'
        (Get-HotmessDeployment -Target preview).DeploymentId | Should -Be 'dpl_preview'
    }

    It 'gets deployments by id, also from the pipeline by property name' {
        $byId = [pscustomobject]@{ DeploymentId = 'dpl_p07' }, [pscustomobject]@{ DeploymentId = 'dpl_p08' } | Get-HotmessDeployment

        $byId.DeploymentId | Should -Be 'dpl_p07', 'dpl_p08'
        $byId[0].Url | Should -BeLike 'https://*'
    }

    It 'writes an error for an unknown id and still returns the others' {
        $found = Get-HotmessDeployment -DeploymentId dpl_unknown, dpl_p01 -ErrorVariable problems -ErrorAction SilentlyContinue

        $found.DeploymentId | Should -Be 'dpl_p01'
        $problems.Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be "VercelDeploymentNotFound,$command"
        $problems[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $problems[0].TargetObject | Should -Be 'dpl_unknown'
    }

    Context 'settings' {
        It 'fails clearly without a token' {
            $env:VERCEL_TOKEN = $null

            $thrown = Get-ThrownError { Get-HotmessDeployment }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelTokenMissing,$command"
            $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $thrown.Exception.Message | Should -Match 'VERCEL_TOKEN'
        }

        It 'fails clearly with a wrong token, without showing it' {
            $env:VERCEL_TOKEN = 'tok_wrong_value_9876'

            $thrown = Get-ThrownError { Get-HotmessDeployment }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelAuthenticationFailed,$command"
            $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $thrown.Exception.Message | Should -Not -Match 'tok_wrong_value_9876'
        }

        It 'takes -Token, -ProjectId and -ApiUrl over the environment' {
            $env:VERCEL_TOKEN = 'tok_wrong'
            $env:VERCEL_PROJECT_ID = 'prj_other'
            $env:VERCEL_API_URL = 'http://127.0.0.1:9'
            $token = ConvertTo-SecureString 'vercel-test-token' -AsPlainText -Force

            $found = Get-HotmessDeployment -Token $token -ProjectId hotmess -ApiUrl $fake.Url -First 1

            $found.DeploymentId | Should -Be 'dpl_preview'
        }

        It 'takes the configuration file over the environment, and parameters over the file' {
            $env:VERCEL_PROJECT_ID = 'prj_other'
            $file = Join-Path $TestDrive 'hotmess.json'
            @{ platform = @{ vercelProjectId = 'prj_hotmess' } } | ConvertTo-Json | Set-Content $file

            (Get-HotmessDeployment -ConfigurationPath $file -First 1).DeploymentId | Should -Be 'dpl_preview'
            (Get-ThrownError { Get-HotmessDeployment -ConfigurationPath $file -ProjectId prj_other }).FullyQualifiedErrorId |
                Should -Be "VercelProjectNotFound,$command"
        }

        It 'sends the team scope from VERCEL_TEAM_ID, and a team project is not found without it' {
            Reset-VercelTestFake $fake -TeamId team_hotmess -Deployment @{ uid = 'dpl_team'; target = 'production' }

            $thrown = Get-ThrownError { Get-HotmessDeployment }
            $env:VERCEL_TEAM_ID = 'team_hotmess'
            $found = Get-HotmessDeployment

            $thrown.FullyQualifiedErrorId | Should -Be "VercelProjectNotFound,$command"
            $found.DeploymentId | Should -Be 'dpl_team'
        }
    }

    Context 'rate limits' {
        It 'waits as Vercel asks and then answers, with a warning' {
            Invoke-VercelControl $fake -Path rate-limit -Body @{ count = 1; retryAfterSeconds = 0 } | Out-Null

            $found = Get-HotmessDeployment -First 1 -WarningVariable warnings -WarningAction SilentlyContinue

            $found.DeploymentId | Should -Be 'dpl_preview'
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'rate limited: 429'
        }

        It 'fails as rate limited when the limit outlasts the retries' {
            Invoke-VercelControl $fake -Path rate-limit -Body @{ count = 10; retryAfterSeconds = 0 } | Out-Null

            $thrown = Get-ThrownError { Get-HotmessDeployment -WarningAction SilentlyContinue }

            $thrown.FullyQualifiedErrorId | Should -Be "VercelRateLimited,$command"
            $thrown.CategoryInfo.Category | Should -Be 'LimitsExceeded'
        }
    }
}
