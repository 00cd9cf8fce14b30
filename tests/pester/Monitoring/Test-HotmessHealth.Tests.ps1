#Requires -Version 7.4
# Test-HotmessHealth end to end: the built module against the fakes and a real PostgreSQL with max_connections 10.

BeforeAll {
    . (Join-Path $PSScriptRoot 'MonitoringFake.ps1')
    Import-Module HotmessRecovery -Force
    $fake = Start-MonitoringTestFake
    $postgres = Start-HotmessTestPostgres -MaxConnections 10
    $databaseUrl = $postgres.ConnectionString('postgres')
}

AfterAll {
    Stop-HotmessTestPostgres $postgres
    Stop-PlatformTestFake $fake
}

Describe 'Test-HotmessHealth' {
    BeforeEach {
        Reset-MonitoringTestFake $fake
        $configuration = New-MonitoringConfiguration $fake (Join-Path $TestDrive 'hotmess.json')
    }

    It 'runs all nine checks, skipping those whose settings are missing and saying why' {
        $results = Test-HotmessHealth -ConfigurationPath $configuration -Repository (Join-Path $TestDrive 'none') 6>$null

        $results | ForEach-Object { $_ | Should -BeOfType 'Hotmess.Recovery.Monitoring.HealthCheckResult' }
        ($results.Name | ForEach-Object { ($_ -split '/')[0] } | Select-Object -Unique) |
            Should -Be 'Site', 'DatabaseConnections', 'DatabaseResources', 'StripeWebhooks', 'StripePayments', 'Providers', 'BackupFreshness', 'VerificationFreshness', 'DrillFreshness'
        $connections = $results | Where-Object Name -EQ 'DatabaseConnections'
        $connections.Status | Should -Be 'Skipped'
        $connections.Message | Should -BeLike '*HOTMESS_DATABASE_URL*'
        ($results | Where-Object Name -EQ 'Site').Status | Should -Be 'Healthy'
        ($results | Where-Object Name -Like 'Providers/*').Status | Should -Be 'Healthy', 'Healthy', 'Healthy'
    }

    It 'runs only the checks named with -Check' {
        $results = Test-HotmessHealth Site, StripePayments -ConfigurationPath $configuration

        $results.Name | Should -Be 'Site', 'StripePayments'
    }

    It 'refuses a check name it does not know' {
        { Test-HotmessHealth -Check Uptime -ConfigurationPath $configuration } | Should -Throw -ErrorId 'ParameterArgumentValidationError,Hotmess.Recovery.Cmdlets.Commands.TestHotmessHealthCommand'
    }

    It 'reports the site Unhealthy at Critical while its health check fails, and Healthy once it recovers' {
        Invoke-FakeControl $fake site health @{ status = 503 } | Out-Null

        $failing = Test-HotmessHealth Site -ConfigurationPath $configuration
        Invoke-FakeControl $fake site health -Method Delete | Out-Null
        $recovered = Test-HotmessHealth Site -ConfigurationPath $configuration

        $failing.Status, $failing.Severity, $failing.Value | Should -Be 'Unhealthy', 'Critical', '503'
        $recovered.Status | Should -Be 'Healthy'
    }

    It 'reports the site Unhealthy when it answers slower than the configured threshold' {
        Invoke-FakeControl $fake site health @{ delayMs = 700 } | Out-Null
        $slow = New-MonitoringConfiguration $fake (Join-Path $TestDrive 'slow.json') @{ checks = @{ Site = @{ threshold = 0.3 } } }

        $result = Test-HotmessHealth Site -ConfigurationPath $slow

        $result.Status | Should -Be 'Unhealthy'
        $result.Message | Should -BeLike '*took*'
    }

    It 'counts the connections of a real PostgreSQL: Healthy at 10 %, Unhealthy at High past 80 %' {
        $healthy = Test-HotmessHealth DatabaseConnections -ConnectionString $databaseUrl -ConfigurationPath $configuration
        $held = @(Open-HeldConnections $postgres 8)
        try {
            $full = Test-HotmessHealth DatabaseConnections -ConnectionString $databaseUrl -ConfigurationPath $configuration
        }
        finally {
            $held | ForEach-Object { $_.Dispose() }
        }

        $healthy.Status, $healthy.Value | Should -Be 'Healthy', '10 %'
        $full.Status, $full.Severity, $full.Value | Should -Be 'Unhealthy', 'High', '90 %'
    }

    It 'reads CPU, memory and disk from the metrics endpoint and flags the one above 80 %' {
        Invoke-RestMethod -Method Post "$($fake.Url)/__fake/metrics" -ContentType 'application/json' -Body '{"cpuPercent":93,"memoryPercent":40,"diskPercent":30}' | Out-Null

        $results = Test-HotmessHealth DatabaseResources -ConfigurationPath $configuration

        $results.Name | Should -Be 'DatabaseResources/CPU', 'DatabaseResources/Memory', 'DatabaseResources/Disk'
        $results.Status | Should -Be 'Unhealthy', 'Healthy', 'Healthy'
        $results[0].Value | Should -Be '93 %'
    }

    It 'skips DatabaseResources and the Stripe checks without their keys, naming the variables' {
        $env:SUPABASE_SERVICE_ROLE_KEY = $null
        $env:STRIPE_SECRET_KEY = $null

        $results = Test-HotmessHealth DatabaseResources, StripeWebhooks, StripePayments -ConfigurationPath $configuration

        $results.Status | Should -Be 'Skipped', 'Skipped', 'Skipped'
        $results[0].Message | Should -BeLike '*SUPABASE_SERVICE_ROLE_KEY*'
        $results[1].Message | Should -BeLike '*STRIPE_SECRET_KEY*'
    }

    It 'flags undelivered webhooks and failed payments above 5 % of the last hour' {
        $events = @(1..18 | ForEach-Object { @{ delivered = $true } }) + @(@{ delivered = $false }, @{ delivered = $false })
        Invoke-FakeControl $fake stripe events @{ events = $events } | Out-Null
        $intents = @(1..19 | ForEach-Object { @{ status = 'succeeded' } }) + @(@{ failed = $true })
        Invoke-FakeControl $fake stripe payment-intents @{ paymentIntents = $intents } | Out-Null

        $webhooks, $payments = Test-HotmessHealth StripeWebhooks, StripePayments -ConfigurationPath $configuration

        $webhooks.Status, $webhooks.Value | Should -Be 'Unhealthy', '10 %'
        $payments.Status, $payments.Value | Should -Be 'Healthy', '5 %'
    }

    It 'reports a provider major outage Unhealthy at High and a minor one Degraded at Medium' {
        Invoke-FakeControl $fake statuspage pages @{ page = 'vercel'; indicator = 'major' } | Out-Null
        Invoke-FakeControl $fake statuspage pages @{ page = 'stripe'; indicator = 'minor' } | Out-Null

        $results = Test-HotmessHealth Providers -ConfigurationPath $configuration

        $vercel = $results | Where-Object Name -EQ 'Providers/Vercel'
        $stripe = $results | Where-Object Name -EQ 'Providers/Stripe'
        $vercel.Status, $vercel.Severity | Should -Be 'Unhealthy', 'High'
        $stripe.Status, $stripe.Severity | Should -Be 'Degraded', 'Medium'
    }

    It 'reports a fresh database backup Healthy and no verification or drill Unhealthy' {
        $repository = Join-Path $TestDrive 'repository'
        Backup-HotmessDatabase -ConnectionString $databaseUrl -Repository $repository -WarningAction SilentlyContinue | Out-Null

        $backup, $verification, $drill = Test-HotmessHealth BackupFreshness, VerificationFreshness, DrillFreshness -Repository $repository -ConfigurationPath $configuration

        $backup.Name, $backup.Status | Should -Be 'BackupFreshness/Database', 'Healthy'
        $verification.Status, $verification.Severity | Should -Be 'Unhealthy', 'Medium'
        $drill.Status, $drill.Severity | Should -Be 'Unhealthy', 'Low'
        $drill.Message | Should -BeLike '*no recovery drill recorded*'
    }

    It 'checks the offsite copy beside the local repository, with the repository key' {
        $repository = Join-Path $TestDrive 'repository'
        $offsite = Join-Path $TestDrive 'offsite'
        $keyFile = Join-Path $TestDrive 'repository.key'
        Set-Content -Path $keyFile -Value 'correct horse battery staple' -NoNewline
        if (-not $IsWindows) { chmod 600 $keyFile }
        Backup-HotmessDatabase -ConnectionString $databaseUrl -Repository $repository -WarningAction SilentlyContinue |
            Copy-HotmessBackup $offsite -KeyFile $keyFile | Out-Null
        $withOffsite = New-MonitoringConfiguration $fake (Join-Path $TestDrive 'offsite.json') @{ offsiteRepositories = @($offsite) }

        $results = Test-HotmessHealth BackupFreshness -Repository $repository -RepositoryKeyFile $keyFile -ConfigurationPath $withOffsite
        $env:HOTMESS_REPOSITORY_KEY = $null
        $withoutKey = Test-HotmessHealth BackupFreshness -Repository $repository -ConfigurationPath $withOffsite

        $results.Name | Should -Be 'BackupFreshness/Database', "BackupFreshness/Database@$offsite"
        $results.Status | Should -Be 'Healthy', 'Healthy'
        $withoutKey[1].Status | Should -Be 'Skipped'
        $withoutKey[1].Message | Should -BeLike '*HOTMESS_REPOSITORY_KEY*'
    }

    It 'reports a backup older than its configured RPO Unhealthy' {
        $repository = Join-Path $TestDrive 'repository'
        Backup-HotmessDatabase -ConnectionString $databaseUrl -Repository $repository -WarningAction SilentlyContinue | Out-Null
        $tight = New-MonitoringConfiguration $fake (Join-Path $TestDrive 'tight.json') @{ backupRpoHours = @{ Database = 0.0001 } }
        Start-Sleep -Milliseconds 500

        $result = Test-HotmessHealth BackupFreshness -Repository $repository -ConfigurationPath $tight

        $result.Status | Should -Be 'Unhealthy'
    }

    It 'never shows a key in its output, its table or its verbose stream' {
        $env:STRIPE_SECRET_KEY = 'sk_test_not_known_to_stripe_5555'
        $env:SUPABASE_SERVICE_ROLE_KEY = 'service-role-not-known-6666'

        $all = Test-HotmessHealth StripeWebhooks, DatabaseResources -ConfigurationPath $configuration -Verbose 4>&1
        $text = ($all | Out-String -Width 400) + ($all | Where-Object { $_ -is [Hotmess.Recovery.Monitoring.HealthCheckResult] } | ConvertTo-Json)

        $text | Should -Not -BeLike '*sk_test_not_known_to_stripe_5555*'
        $text | Should -Not -BeLike '*service-role-not-known-6666*'
        ($all | Where-Object { $_ -is [Hotmess.Recovery.Monitoring.HealthCheckResult] }).Status | Should -Be 'Unhealthy', 'Unhealthy'
    }
}
