#Requires -Version 7.4
# The health-check runbook against the fakes: rounds, Automation variables, and a job that fails when anything is Unhealthy.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Monitoring/MonitoringFake.ps1')
    Import-Module HotmessRecovery -Force
    $runbook = Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessHealthCheck.ps1'
    $fake = Start-MonitoringTestFake
    $postgres = Start-HotmessTestPostgres
    foreach ($name in 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL', 'SLACK_WEBHOOK_URL') { $fake.SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name) }
    # Azure Automation's own command, absent outside the sandbox: a stub so Pester can mock it.
    function Get-AutomationVariable { param([string] $Name) }
}

AfterAll {
    Stop-HotmessTestPostgres $postgres
    Stop-PlatformTestFake $fake
}

Describe 'Invoke-HotmessHealthCheck runbook' {
    BeforeEach {
        Reset-MonitoringTestFake $fake
        $testConfiguration = New-MonitoringConfiguration $fake (Join-Path $TestDrive 'hotmess.json')
        Mock Get-AutomationVariable { $null }
    }

    It 'runs one round by default and succeeds when nothing is unhealthy' {
        $run = & $runbook -Check Site, Providers, StripePayments -ConfigurationPath $testConfiguration -NoAlert

        $run | Should -HaveCount 1
        $run.Unhealthy | Should -Be 0
        $run.Results.Name | Should -Be 'Site', 'StripePayments', 'Providers/Vercel', 'Providers/Supabase', 'Providers/Stripe'
    }

    It 'runs a round every -Every for -For: three rounds for 1s over 2s' {
        $runs = & $runbook -Check Site -Every 1s -For 2s -ConfigurationPath $testConfiguration -NoAlert

        $runs.Round | Should -Be 1, 2, 3
        $runs.Rounds | Select-Object -Unique | Should -Be 3
        $runs[1].StartedUtc | Should -BeGreaterThan $runs[0].StartedUtc
    }

    It 'fails the job naming the unhealthy check, after writing the round' {
        Invoke-FakeControl $fake site health @{ status = 500 } | Out-Null

        $output = [Collections.Generic.List[object]]::new()
        { & $runbook -Check Site, Providers -ConfigurationPath $testConfiguration -NoAlert | ForEach-Object { $output.Add($_) } } |
            Should -Throw '*Unhealthy during this run: Site.*'
        $output[0].Problems | Should -Be 'Site'
    }

    It 'fails the job when a check was unhealthy in any round, even if it recovered by the last' {
        Invoke-FakeControl $fake site health @{ status = 503; failures = 2 } | Out-Null

        $output = [Collections.Generic.List[object]]::new()
        { & $runbook -Check Site -Every 1s -For 1s -ConfigurationPath $testConfiguration -NoAlert | ForEach-Object { $output.Add($_) } } |
            Should -Throw '*Site*'
        $output.Unhealthy | Should -Be 1, 0
    }

    It 'takes the site and the Stripe key from Automation variables' {
        $env:HOTMESS_SITE_URL = $null
        $env:STRIPE_SECRET_KEY = $null
        Mock Get-AutomationVariable { "$($fake.Url)/site" } -ParameterFilter { $Name -eq 'HOTMESS_SITE_URL' }
        Mock Get-AutomationVariable { $FakeKeys.Stripe } -ParameterFilter { $Name -eq 'STRIPE_SECRET_KEY' }
        Invoke-FakeControl $fake stripe payment-intents @{ paymentIntents = @(@{ failed = $true }, @{ status = 'succeeded' }) } | Out-Null

        $output = [Collections.Generic.List[object]]::new()
        { & $runbook -Check Site, StripePayments -ConfigurationPath $testConfiguration -NoAlert | ForEach-Object { $output.Add($_) } } |
            Should -Throw '*StripePayments*'
        $output[0].Results[0].Status | Should -Be 'Healthy'
        $output[0].Results[1].Value | Should -Be '50 %'
    }

    It 'exits non-zero from pwsh -File when anything is unhealthy, and zero when all is well' {
        # pwsh may run as a dotnet tool: then the host is dotnet and pwsh.dll its first argument.
        $hostPath = (Get-Process -Id $PID).Path
        $pwsh = @(if ([IO.Path]::GetFileNameWithoutExtension($hostPath) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' })
        $arguments = $pwsh + @('-NoProfile', '-NonInteractive', '-File', $runbook, '-Check', 'Site', '-ConfigurationPath', $testConfiguration, '-NoAlert')
        Invoke-FakeControl $fake site health @{ status = 502 } | Out-Null
        & $hostPath @arguments *> $null
        $failed = $LASTEXITCODE
        Invoke-FakeControl $fake site health -Method Delete | Out-Null
        & $hostPath @arguments *> $null
        $passed = $LASTEXITCODE

        $failed | Should -Be 1
        $passed | Should -Be 0
    }

    It 'alerts a failing site once across rounds, on the phone and in Slack, and resolves it when the site recovers' {
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        foreach ($service in 'pagerduty', 'slack') { Invoke-FakeControl $fake $service reset | Out-Null }
        $env:PAGERDUTY_ROUTING_KEY = 'R0HOTMESSFAKEROUTINGKEY000000001'
        $env:PAGERDUTY_EVENTS_URL = "$($fake.Url)/pagerduty"
        $env:SLACK_WEBHOOK_URL = "$($fake.Url)/slack/services/T0HOTMESS/B0ALERTS/hotmessfakewebhooktoken"
        Invoke-FakeControl $fake site health @{ status = 503; failures = 4 } | Out-Null

        $output = [Collections.Generic.List[object]]::new()
        try {
            { & $runbook -Check Site -Every 1s -For 2s -Repository $repository -ConfigurationPath $testConfiguration | ForEach-Object { $output.Add($_) } } |
                Should -Throw '*Site*'
        }
        finally {
            $env:PAGERDUTY_ROUTING_KEY = $env:PAGERDUTY_EVENTS_URL = $env:SLACK_WEBHOOK_URL = $null
        }

        $output.Unhealthy | Should -Be 1, 1, 0
        $output[0].Alerts.Channel | Should -Be 'Phone', 'Slack'
        $output[1].Alerts | Should -BeNullOrEmpty
        @($output[2].Alerts.Kind | Select-Object -Unique) | Should -Be 'Resolved'
        @((Invoke-FakeControl $fake pagerduty events -Method Get) | ForEach-Object { $_ }).event_action | Should -Be 'trigger', 'resolve'
    }

    It 'reads the offsite repository with the HOTMESS_REPOSITORY_KEY Automation variable, and never prints it' {
        $passphrase = 'offsite passphrase ' + [guid]::NewGuid().ToString('N')
        $repository = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $offsite = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $keyFile = Join-Path $TestDrive 'offsite.key'
        Set-Content -Path $keyFile -Value $passphrase -NoNewline
        if (-not $IsWindows) { chmod 600 $keyFile }
        Backup-HotmessDatabase -ConnectionString $postgres.ConnectionString('postgres') -Repository $repository -WarningAction SilentlyContinue |
            Copy-HotmessBackup $offsite -KeyFile $keyFile | Out-Null
        $withOffsite = New-MonitoringConfiguration $fake (Join-Path $TestDrive 'offsite.json') @{ offsiteRepositories = @($offsite) }
        $env:HOTMESS_REPOSITORY_KEY = $null
        Mock Get-AutomationVariable { $passphrase } -ParameterFilter { $Name -eq 'HOTMESS_REPOSITORY_KEY' }

        $everything = @(& $runbook -Check BackupFreshness -Repository $repository -ConfigurationPath $withOffsite -NoAlert -Verbose *>&1)
        $fromFile = & $runbook -Check BackupFreshness -Repository $repository -RepositoryKeyFile $keyFile -ConfigurationPath $withOffsite -NoAlert

        $run = $everything | Where-Object { $_.PSObject.TypeNames -contains 'Hotmess.Recovery.Runbooks.HealthCheckRound' }
        $run.Results.Name | Should -Be 'BackupFreshness/Database', "BackupFreshness/Database@$offsite"
        $run.Results.Status | Should -Be 'Healthy', 'Healthy'
        $fromFile.Results.Status | Should -Be 'Healthy', 'Healthy'
        ($everything | Out-String -Width 400) | Should -Not -BeLike "*$passphrase*"
        $env:HOTMESS_REPOSITORY_KEY | Should -BeNullOrEmpty
    }

    It 'hands the database password of the PGPASSWORD (or the named) Automation variable to the connection check as -Credential' {
        $withoutPassword = [Npgsql.NpgsqlConnectionStringBuilder]::new($postgres.ConnectionString('postgres'))
        $withoutPassword.Remove('Password') | Out-Null
        $env:HOTMESS_DATABASE_URL = $withoutPassword.ConnectionString
        $env:PGPASSWORD = $null
        Mock Get-AutomationVariable { $postgres.Password } -ParameterFilter { $Name -in 'PGPASSWORD', 'HOTMESS_DB_PASSWORD' }

        $everything = @(& $runbook -Check DatabaseConnections -ConfigurationPath $testConfiguration -NoAlert -Verbose *>&1)
        $named = & $runbook -Check DatabaseConnections -PasswordSetting HOTMESS_DB_PASSWORD -ConfigurationPath $testConfiguration -NoAlert
        Mock Get-AutomationVariable { $null } -ParameterFilter { $Name -eq 'PGPASSWORD' }
        $output = [Collections.Generic.List[object]]::new()
        { & $runbook -Check DatabaseConnections -ConfigurationPath $testConfiguration -NoAlert | ForEach-Object { $output.Add($_) } } |
            Should -Throw '*DatabaseConnections*'

        $run = $everything | Where-Object { $_.PSObject.TypeNames -contains 'Hotmess.Recovery.Runbooks.HealthCheckRound' }
        $run.Results[0].Status | Should -Be 'Healthy'
        $named.Results[0].Status | Should -Be 'Healthy'
        $output[0].Results[0].Status | Should -Be 'Unhealthy'
        ($everything | Out-String -Width 400) | Should -Not -BeLike "*$($postgres.Password)*"
    }

    It 'takes the database user for the password from the configuration when HOTMESS_DATABASE_URL is not set' {
        $withoutPassword = [Npgsql.NpgsqlConnectionStringBuilder]::new($postgres.ConnectionString('postgres'))
        $withoutPassword.Remove('Password') | Out-Null
        $document = Get-Content $testConfiguration -Raw | ConvertFrom-Json -AsHashtable
        $document.database = @{ connectionString = $withoutPassword.ConnectionString }
        $withDatabase = Join-Path $TestDrive 'database.json'
        $document | ConvertTo-Json -Depth 6 | Set-Content $withDatabase
        $env:HOTMESS_DATABASE_URL = $env:PGPASSWORD = $null
        Mock Get-AutomationVariable { $postgres.Password } -ParameterFilter { $Name -eq 'PGPASSWORD' }

        $run = & $runbook -Check DatabaseConnections -ConfigurationPath $withDatabase -NoAlert

        $run.Results[0].Status | Should -Be 'Healthy'
    }

    It 'refuses an interval that is not a duration' {
        { & $runbook -Every 'often' -NoAlert } | Should -Throw "*-Every 'often' is not a duration*"
    }
}
