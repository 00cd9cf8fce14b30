#Requires -Version 7.4
# The Procedure 1 runbook end to end: path chosen by the least data lost against the Supabase Management fake (PITR,
# daily backups, the project through RESTORING to ACTIVE_HEALTHY), and the own-backup path into a real PostgreSQL.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Supabase/SupabaseFake.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module HotmessRecovery -Force
    $runbook = (Resolve-Path (Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessDatabaseRecovery.ps1')).ProviderPath
    $fake = Start-PlatformTestFake

    function Invoke-Runbook([hashtable] $Parameters = @{}) {
        $output = [System.Collections.Generic.List[object]]::new()
        $thrown = $null
        try { & $runbook -PollIntervalSeconds 1 @Parameters | ForEach-Object { $output.Add($_) } } catch { $thrown = $_ }
        [pscustomobject]@{ Record = $output | Where-Object { $_ -is [Hotmess.Recovery.Incidents.IncidentRecord] } | Select-Object -Last 1; Error = $thrown }
    }
}

AfterAll {
    Stop-PlatformTestFake $fake
}

Describe 'Invoke-HotmessDatabaseRecovery' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        $env:HOTMESS_REPOSITORY = Join-Path $TestDrive "empty-$([guid]::NewGuid().ToString('N'))"
        Set-SupabaseFakeBackups $fake @{ restoreDelayMs = 1200 }
    }

    It 'restores to a minute before the incident by PITR when the window reaches it, and records RTO and RPO' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true }
        $incident = [DateTimeOffset]::UtcNow.AddHours(-1)

        $run = Invoke-Runbook @{ IncidentTime = $incident; Reason = 'Orders table truncated' }

        $run.Error | Should -BeNullOrEmpty
        $run.Record.Outcome | Should -Be 'Restored'
        $run.Record.Facts['Path'] | Should -Be 'PointInTime'
        $run.Record.Facts['WhyChosen'] | Should -Match 'PITR is enabled'
        (Get-SupabaseFakeRestores $fake).recoveryTimeTargetUnix | Should -Be $incident.AddMinutes(-1).ToUnixTimeSeconds()
        $run.Record.Facts['RPO'] | Should -Match '^1 min \(objective 24 h\): met$'
        $run.Record.Facts['RTO'] | Should -Match 'objective 4 h\): met$'
        ($run.Record.Notes.Text -join ' ') | Should -Match 'Notice for users'
    }

    It 'falls back to the newest Supabase daily backup before the incident, saying why' {
        Set-SupabaseFakeBackups $fake @{ backups = @(
                @{ id = 41; insertedAt = '2026-11-28T02:00:00Z' }
                @{ id = 42; insertedAt = '2026-11-29T02:00:00Z' }
                @{ id = 43; insertedAt = '2026-11-30T02:00:00Z' }
            )
        }

        $run = Invoke-Runbook @{ IncidentTime = [DateTimeOffset]'2026-11-29T15:00:00Z' }

        $run.Record.Facts['Path'] | Should -Be 'SupabaseDaily'
        $run.Record.Facts['WhyChosen'] | Should -Match 'no point-in-time recovery.*backup before the incident is 42'
        (Get-SupabaseFakeRestores $fake).id | Should -Be 42
        $run.Record.Facts['RPO'] | Should -Match '^780 min'
    }

    It 'with -WhatIf says which path it would take and restores nothing' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true }

        $run = Invoke-Runbook @{ WhatIf = $true }

        $run.Record.Outcome | Should -Be 'WhatIf'
        $run.Record.Facts['Path'] | Should -Be 'PointInTime'
        Get-SupabaseFakeRestores $fake | Should -BeNullOrEmpty
    }

    It 'fails the job naming every path it tried when none is left' {
        $env:SUPABASE_ACCESS_TOKEN = $null

        $run = Invoke-Runbook

        $run.Error.FullyQualifiedErrorId | Should -Be 'DatabaseRecoveryNoPath'
        $run.Error.Exception.Message | Should -Match 'No SUPABASE_ACCESS_TOKEN.*no own backup repository'
    }
}

Describe 'Invoke-HotmessDatabaseRecovery from the module''s own backups' {
    BeforeAll {
        $server = Start-HotmessTestPostgres -SampleDatabase hotmess
        $repository = Join-Path $TestDrive 'own'
        $unverified = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
        Start-Sleep -Milliseconds 1100
        $verified = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
        $verified | Test-HotmessBackup | Out-Null
        $unverified, $verified | Out-Null
    }

    AfterAll {
        $server | Stop-HotmessTestPostgres
    }

    It 'restores the newest verified set into a new database beside the damaged one, checked against its manifest' {
        $env:SUPABASE_ACCESS_TOKEN = $null
        $name = New-HotmessScratchName

        $run = Invoke-Runbook @{ Path = 'OwnBackup'; Repository = $repository; TargetConnectionString = $server.ConnectionString($name) }

        $run.Error | Should -BeNullOrEmpty
        $run.Record.Outcome | Should -Be 'Restored'
        $run.Record.Facts['Path'] | Should -Be 'OwnBackup'
        $run.Record.Facts['WhyChosen'] | Should -Match ([regex]::Escape($verified.Id))
        ($run.Record.Steps | Where-Object Name -EQ 'Verify integrity').Status | Should -Be 'Succeeded'
        $server.ExecuteSql($name, 'SELECT count(*) FROM public.marketplace_order') |
            Should -Be ($verified.Manifest.Database.Tables | Where-Object Name -EQ 'marketplace_order').RowCount
        $server.ExecuteSql('hotmess', 'SELECT 1') | Should -Be '1'
    }
}
