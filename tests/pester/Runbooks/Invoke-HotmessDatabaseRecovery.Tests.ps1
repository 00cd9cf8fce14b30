#Requires -Version 7.4
# The Procedure 1 runbook end to end: path chosen by the least data lost against the Supabase Management fake (PITR,
# daily backups, the project through RESTORING to ACTIVE_HEALTHY), and the own-backup path into a real PostgreSQL.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Supabase/SupabaseFake.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module HotmessRecovery -Force
    $runbook = (Resolve-Path (Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessDatabaseRecovery.ps1')).ProviderPath
    $fake = Start-PlatformTestFake
    # One server with the sample database for the own-backup tests and, after them, as the damaged project's database.
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess

    function Invoke-Runbook([hashtable] $Parameters = @{}) {
        $output = [System.Collections.Generic.List[object]]::new()
        $thrown = $null
        try { & $runbook -PollIntervalSeconds 1 @Parameters | ForEach-Object { $output.Add($_) } } catch { $thrown = $_ }
        [pscustomobject]@{ Record = $output | Where-Object { $_ -is [Hotmess.Recovery.Incidents.IncidentRecord] } | Select-Object -Last 1; Error = $thrown }
    }
}

AfterAll {
    $env:HOTMESS_DATABASE_URL = $null
    $server | Stop-HotmessTestPostgres
    Stop-PlatformTestFake $fake
}

Describe 'Invoke-HotmessDatabaseRecovery' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        $env:HOTMESS_DATABASE_URL = $null
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
        # A restored database that lost its newest orders (and their rows), copied before anything connects to hotmess.
        $server.ExecuteSql('postgres', 'CREATE DATABASE damaged TEMPLATE hotmess') | Out-Null
        $server.ExecuteSql('damaged', "SET session_replication_role = replica; DELETE FROM public.marketplace_order WHERE created_at > now() - interval '3 days'") | Out-Null
        $repository = Join-Path $TestDrive 'own'
        $unverified = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
        Start-Sleep -Milliseconds 1100
        $verified = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
        $verified | Test-HotmessBackup | Out-Null
        $unverified, $verified | Out-Null
    }

    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        $env:HOTMESS_REPOSITORY = $repository
        $env:HOTMESS_DATABASE_URL = $null
        Set-SupabaseFakeBackups $fake @{ restoreDelayMs = 1200 }
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
        ($run.Record.NextSteps -join ' ') | Should -Match 'Set-HotmessSecret for HOTMESS_DATABASE_URL, then Invoke-HotmessRedeploy'
        ($run.Record.Steps | Where-Object Name -EQ 'Update connections') | Should -BeNullOrEmpty
        (Invoke-FakeControl $fake vercel state -Method Get).environment | Should -BeNullOrEmpty
    }

    It 'checks a PITR restore''s critical tables against the newest own set before the restore point and finds recent transactions' {
        # The own sets were taken a moment ago: a PITR window and an incident after them make the verified one the evidence before
        # the restore point.
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true; latestUnix = [DateTimeOffset]::UtcNow.AddMinutes(10).ToUnixTimeSeconds() }
        $orders = $server.ExecuteSql('hotmess', 'SELECT count(*) FROM public.marketplace_order')

        $run = Invoke-Runbook @{ ConnectionString = $server.ConnectionString('hotmess'); UpdateConnections = $true; IncidentTime = [DateTimeOffset]::UtcNow.AddMinutes(5) }

        $run.Error | Should -BeNullOrEmpty
        $run.Record.Facts['Path'] | Should -Be 'PointInTime'
        $verify = $run.Record.Steps | Where-Object Name -EQ 'Verify integrity'
        $verify.Status | Should -Be 'Succeeded'
        $run.Record.Facts['CriticalTables'] | Should -Match ([regex]::Escape("public.marketplace_order $orders rows ($orders in $($verified.Id), 0)"))
        $run.Record.Facts['CriticalTables'] | Should -Match 'public\.User \d+ rows'
        $column = ($verified.Manifest.Database.Tables | Where-Object Name -EQ 'marketplace_order').TimestampColumn
        $run.Record.Facts['RecentTransactions'] | Should -Match "^newest public\.marketplace_order\.$column \d{4}-.*; required after .*minus the 24 h RPO"
        $run.Record.Outcome | Should -Be 'Restored'
        # A Supabase restore keeps the project: nothing moved, so nothing to point the application at.
        ($run.Record.Steps | Where-Object Name -EQ 'Update connections') | Should -BeNullOrEmpty
        ($run.Record.Notes.Text -join ' ') | Should -Match 'Connections left as they are: the database did not move'
        (Invoke-FakeControl $fake vercel state -Method Get).environment | Should -BeNullOrEmpty
    }

    It 'reports the critical tables that lost rows and recent transactions that are missing' {
        Set-SupabaseFakeBackups $fake @{ pitrEnabled = $true; latestUnix = [DateTimeOffset]::UtcNow.AddMinutes(10).ToUnixTimeSeconds() }

        $run = Invoke-Runbook @{ ConnectionString = $server.ConnectionString('damaged'); IncidentTime = [DateTimeOffset]::UtcNow.AddMinutes(5) }

        $verify = $run.Record.Steps | Where-Object Name -EQ 'Verify integrity'
        $verify.Status | Should -Be 'Failed'
        $verify.ErrorId | Should -Be 'DatabaseRecoveryIntegrityInDoubt'
        $verify.Detail | Should -Match "public\.marketplace_order has \d+ rows fewer than $([regex]::Escape($verified.Id))"
        $verify.Detail | Should -Match 'no transaction in public\.marketplace_order after'
        $verify.Detail | Should -Not -Match 'public\.User has'
        $run.Record.Outcome | Should -Be 'RestoredUnverified'
    }

    It 'with -UpdateConnections points the application at the moved database and redeploys' {
        $env:SUPABASE_ACCESS_TOKEN = $null
        $env:HOTMESS_DATABASE_URL = $server.ConnectionString('hotmess')
        $name = New-HotmessScratchName
        $anon = ConvertTo-SecureString 'anon-key-of-the-new-project' -AsPlainText -Force

        $run = Invoke-Runbook @{ Path = 'OwnBackup'; TargetConnectionString = $server.ConnectionString($name); UpdateConnections = $true
            SupabaseUrl = 'https://newprojectrefabcdefgh.supabase.co'; AnonKey = $anon }

        $run.Error | Should -BeNullOrEmpty
        ($run.Record.Steps | Where-Object Name -EQ 'Update connections').Status | Should -Be 'Succeeded'
        $state = Invoke-FakeControl $fake vercel state -Method Get
        ($state.environment | Where-Object key -EQ HOTMESS_DATABASE_URL).value | Should -Be $server.ConnectionString($name)
        ($state.environment | Where-Object key -EQ VITE_SUPABASE_URL).value | Should -Be 'https://newprojectrefabcdefgh.supabase.co'
        ($state.environment | Where-Object key -EQ SUPABASE_URL).value | Should -Be 'https://newprojectrefabcdefgh.supabase.co'
        ($state.environment | Where-Object key -EQ VITE_SUPABASE_ANON_KEY).value | Should -Be 'anon-key-of-the-new-project'
        $state.currentProductionId | Should -Not -Be 'dpl_live'
        $run.Record.Facts['Redeploy'] | Should -Match "^$([regex]::Escape($state.currentProductionId)) READY$"
        ($run.Record | ConvertTo-Json -Depth 6) | Should -Not -Match 'anon-key-of-the-new-project'
    }

    It 'with -UpdateConnections and -WhatIf says it would set the variables and redeploy, and changes nothing' {
        $env:SUPABASE_ACCESS_TOKEN = $null
        $env:HOTMESS_DATABASE_URL = $server.ConnectionString('hotmess')
        $name = New-HotmessScratchName

        $run = Invoke-Runbook @{ Path = 'OwnBackup'; TargetConnectionString = $server.ConnectionString($name); UpdateConnections = $true
            SupabaseUrl = 'https://newprojectrefabcdefgh.supabase.co'; WhatIf = $true }

        $run.Record.Outcome | Should -Be 'WhatIf'
        ($run.Record.Steps | Where-Object Name -Like 'Restore*').Detail |
            Should -Match 'would set HOTMESS_DATABASE_URL, VITE_SUPABASE_URL, SUPABASE_URL \(Set-HotmessSecret\) and redeploy production'
        $state = Invoke-FakeControl $fake vercel state -Method Get
        $state.environment | Should -BeNullOrEmpty
        $state.currentProductionId | Should -Be 'dpl_live'
        $server.ExecuteSql('postgres', "SELECT count(*) FROM pg_database WHERE datname = '$name'") | Should -Be '0'
    }
}

Describe 'Invoke-HotmessDatabaseRecovery -NewProject' {
    BeforeAll {
        # The damaged project's database: the sample, now with a Supabase project's objects (the own-backup tests are done with it).
        $source = $server
        $cluster = Start-HotmessTestPostgres
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::AddProjectObjectsAsync($source, 'hotmess', [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::PrepareClusterAsync($cluster, [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
        $ownRepository = Join-Path $TestDrive 'own-for-new-project'
        $ownSet = Backup-HotmessDatabase -ConnectionString $source.ConnectionString('hotmess') -Repository $ownRepository
        $ownSet | Test-HotmessBackup | Out-Null
        $configuration = Join-Path $TestDrive 'new-project.json'
        @{ supabase = @{
                organizationId             = 'hotmess-org'
                projectUrlTemplate         = $fake.Url
                databaseConnectionTemplate = "Host={host};Port=$($cluster.Port);Database={ref};Username=postgres;SSL Mode=Disable"
            }
        } | ConvertTo-Json | Set-Content $configuration
        $adminConnection = $cluster.ConnectionString('postgres', [Hotmess.Recovery.Sandbox.SupabaseTarget]::AdminUser, $cluster.Password)

        function Get-FakeProjects { Invoke-FakeControl $fake supabase-management projects -Method Get }
    }

    AfterAll {
        $cluster | Stop-HotmessTestPostgres
    }

    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        $env:HOTMESS_CONFIG = $configuration
        $env:HOTMESS_REPOSITORY = $ownRepository
        $env:HOTMESS_DATABASE_URL = $source.ConnectionString('hotmess')
        Invoke-FakeControl $fake supabase-management projects @{ postgres = $adminConnection; readyAfterPolls = 2 } | Out-Null
    }

    It 'creates a project beside the damaged one, restores the own set into it, and points the application at its URL and keys' {
        $run = Invoke-Runbook @{ NewProject = $true; ProjectName = 'hotmess-restored-runbook'; UpdateConnections = $true }

        $run.Error | Should -BeNullOrEmpty
        $run.Record.Outcome | Should -Be 'Restored'
        $run.Record.Facts['Path'] | Should -Be 'OwnBackup'
        $run.Record.Facts['WhyChosen'] | Should -Match 'only an own set goes into a new project'
        $created = (Get-FakeProjects).projects
        $created | Should -HaveCount 1
        $run.Record.Facts['NewProject'] | Should -Match "^hotmess-restored-runbook \($($created.ref)\)"
        ($run.Record.Steps | Where-Object Name -Like 'Restore*').Detail | Should -Match '\(Supabase\)\.$'
        ($run.Record.Steps | Where-Object Name -EQ 'Verify integrity').Status | Should -Be 'Succeeded'
        [Hotmess.Recovery.Sandbox.SupabaseTarget]::ExecuteAsAdminAsync($cluster, $created.ref, 'SELECT count(*) FROM public.marketplace_order', [Threading.CancellationToken]::None).GetAwaiter().GetResult() |
            Should -Be ($ownSet.Manifest.Database.Tables | Where-Object Name -EQ 'marketplace_order').RowCount
        $state = Invoke-FakeControl $fake vercel state -Method Get
        ($state.environment | Where-Object key -EQ VITE_SUPABASE_URL).value | Should -Be $fake.Url
        $anon = ($state.environment | Where-Object key -EQ VITE_SUPABASE_ANON_KEY).value
        (Invoke-RestMethod "$($fake.Url)/auth/v1/settings" -Headers @{ apikey = $anon }).external.email | Should -BeTrue
        ($state.environment | Where-Object key -EQ HOTMESS_DATABASE_URL).value | Should -Match "Database=$($created.ref)"
        ($run.Record | ConvertTo-Json -Depth 6) | Should -Not -Match ([regex]::Escape($anon))
    }

    It 'with -WhatIf says it would create the project and restore into it, and creates nothing' {
        $run = Invoke-Runbook @{ NewProject = $true; ProjectName = 'hotmess-restored-whatif'; WhatIf = $true }

        $run.Record.Outcome | Should -Be 'WhatIf'
        ($run.Record.Steps | Where-Object Name -EQ 'Create Supabase project hotmess-restored-whatif').Detail |
            Should -Match "would create Supabase project hotmess-restored-whatif beside the damaged one and restore own set $([regex]::Escape($ownSet.Id))"
        (Get-FakeProjects).creations | Should -HaveCount 0
    }

    It 'refuses -NewProject with a Supabase path, which restores into the damaged project itself' {
        $run = Invoke-Runbook @{ NewProject = $true; Path = 'PointInTime' }

        $run.Error.FullyQualifiedErrorId | Should -Be 'DatabaseRecoveryNewProjectPath'
        $run.Record.Outcome | Should -Be 'Failed'
        (Get-FakeProjects).creations | Should -HaveCount 0
    }

    It 'fails the step and the job when Supabase cannot start the project, naming its status' {
        Invoke-FakeControl $fake supabase-management projects @{ outcome = 'INIT_FAILED' } | Out-Null

        $run = Invoke-Runbook @{ NewProject = $true; ProjectName = 'hotmess-restored-failed' }

        $run.Error.FullyQualifiedErrorId | Should -BeLike 'SupabaseProjectFailed,*'
        $step = $run.Record.Steps | Where-Object Name -EQ 'Create Supabase project hotmess-restored-failed'
        $step.Status | Should -Be 'Failed'
        $step.Detail | Should -Match 'INIT_FAILED'
        $run.Record.Outcome | Should -Be 'Failed'
    }
}
