#Requires -Version 7.4
# The Procedure 4 runbook end to end against the fakes (Vercel, Supabase Management, Stripe, Resend, Slack, status
# pages, Statuspage) and a real PostgreSQL: the plan under -WhatIf, phases alone, a stop and a resume of the same incident.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    . (Join-Path $PSScriptRoot '../Support/PlatformRecovery.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module HotmessRecovery -Force
    $runbook = (Resolve-Path (Join-Path $PSScriptRoot '../../../runbooks/Invoke-HotmessPlatformRecovery.ps1')).ProviderPath
    $fake = Start-PlatformTestFake
    foreach ($name in 'HOTMESS_DATABASE_URL', 'SLACK_WEBHOOK_URL', 'STATUSPAGE_API_KEY', 'STATUSPAGE_PAGE_ID', 'STATUSPAGE_API_URL', 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL') {
        $fake.SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $repository = Join-Path $TestDrive 'backups'
    $databaseSet = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository

    function Get-FakeList([string] $Service, [string] $Path) {
        # Invoke-RestMethod writes a JSON array as one object: enumerate it, and keep an empty one an array.
        $list = Invoke-FakeControl $fake $Service $Path -Method Get
        , @(foreach ($item in $list) { $item })
    }

    function Invoke-Runbook([hashtable] $Parameters = @{}) {
        # The record the runbook wrote last, and the error it ended with.
        $output = [System.Collections.Generic.List[object]]::new()
        $thrown = $null
        try { & $runbook -Repository $repository -IncidentPath $incidents @Parameters | ForEach-Object { $output.Add($_) } } catch { $thrown = $_ }
        [pscustomobject]@{ Record = $output | Where-Object { $_ -is [Hotmess.Recovery.Incidents.IncidentRecord] } | Select-Object -Last 1; Error = $thrown }
    }

    function Get-NewestIncidentId {
        # A failed run writes no record to the output: the newest incident kept in the repository.
        (Get-ChildItem (Join-Path $repository 'incidents') -Filter '*.json' | Sort-Object Name | Select-Object -Last 1).BaseName
    }

    function Get-KeptIncident([string] $Id) {
        Get-Content -Raw (Join-Path $repository "incidents/$Id.json") | ConvertFrom-Json
    }

    function Get-Steps($Incident, [string] $Name) { @($Incident.steps | Where-Object name -EQ $Name) }
}

AfterAll {
    Stop-HotmessTestPostgres $server
    Stop-PlatformTestFake $fake
}

Describe 'Invoke-HotmessPlatformRecovery' {
    BeforeEach {
        Reset-PlatformTestFake $fake
        Set-PlatformTestEnvironment $fake
        foreach ($service in 'statuspage', 'statuspage-api', 'pagerduty') { Invoke-FakeControl $fake $service reset | Out-Null }
        Invoke-FakeControl $fake site health -Method Delete | Out-Null
        $env:HOTMESS_SITE_URL = "$($fake.Url)/site"
        $env:SLACK_WEBHOOK_URL = "$($fake.Url)/slack/services/T0HOTMESS/B0ALERTS/hotmessfakewebhooktoken"
        $env:STATUSPAGE_API_KEY = 'statuspage-fake-oauth-key-0001'
        $env:STATUSPAGE_PAGE_ID = 'hotmesspage01'
        $env:STATUSPAGE_API_URL = "$($fake.Url)/statuspage-api/v1"
        $env:PAGERDUTY_ROUTING_KEY = $null
        $env:HOTMESS_REPOSITORY = $null
        $target = New-HotmessScratchName
        $env:HOTMESS_DATABASE_URL = $server.ConnectionString($target)
        $incidents = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        $config = Join-Path $TestDrive 'hotmess.json'
        @{
            monitoring = @{ statusPages = [ordered]@{ Vercel = "$($fake.Url)/statuspage/vercel"; Supabase = "$($fake.Url)/statuspage/supabase"; Stripe = "$($fake.Url)/statuspage/stripe" } }
            alerting   = @{ contacts = @(@{ role = 'Technical Lead'; contact = 'Sam Ops, +44 20 0000 0001'; availability = '24/7' }) }
        } | ConvertTo-Json -Depth 6 | Set-Content $config
        $env:HOTMESS_CONFIG = $config
    }

    It 'plans every phase under -WhatIf with the sets and project it would use, and changes nothing' {
        $run = Invoke-Runbook @{ NewProject = $true; ProjectName = 'hotmess-dr'; MigrationsPath = './supabase/migrations'; WhatIf = $true }

        $run.Error | Should -BeNullOrEmpty
        $run.Record.Outcome | Should -Be 'WhatIf'
        $run.Record.Facts['DatabaseSet'] | Should -Be $databaseSet.Id
        $assessed = $run.Record.Steps | Where-Object { $_.Name -like 'Assess: *' -and $_.Name -ne 'Assess: Tell the team the current state' }
        $assessed.Status | Sort-Object -Unique | Should -Be 'Succeeded'
        $planned = $run.Record.Steps | Where-Object { $_ -notin $assessed }
        ($planned | Where-Object Name -EQ 'Assess: Tell the team the current state').Status | Should -Be 'Skipped'
        $planned.Status | Sort-Object -Unique | Should -Be 'Skipped'
        ($planned | Where-Object Name -EQ 'Infrastructure: Create the Supabase project').Detail | Should -BeLike '*create the Supabase project hotmess-dr*'
        ($planned | Where-Object Name -EQ 'Infrastructure: Restore the database').Detail | Should -BeLike "*$($databaseSet.Id) into the new project*"
        ($planned | Where-Object Name -EQ 'Application: Deploy production').Detail | Should -BeLike '*deploy main to production*'
        $planned.Name | Should -Contain 'Integrations: Take a test payment'
        $planned.Name | Should -Contain 'Verify: Test the critical user flows'
        $planned.Name | Should -Contain 'Communicate: Close the incident'
        Join-Path $repository 'incidents' | Should -Not -Exist
        $incidents | Should -Not -Exist
        (Get-FakeList statuspage-api incidents).Count | Should -Be 0
        (Get-FakeList slack messages).Count | Should -Be 0
    }

    It 'assesses alone: opens the incident on the status page, records the current state and tells the team, once' {
        $first = Invoke-Runbook @{ Only = 'Assess' }

        $first.Error | Should -BeNullOrEmpty
        $first.Record.IsOpen | Should -BeTrue
        $first.Record.Procedure | Should -Be 'Procedure 4: Complete Platform Recovery'
        $first.Record.Scenario | Should -Be 'Full disaster'
        $first.Record.Facts['Providers'] | Should -BeLike '*Vercel: *Supabase: *Stripe: *'
        $first.Record.Facts['OldProject'] | Should -BeLike 'hotmessrecoveryfakes*'
        $first.Record.Facts['DatabaseSet'] | Should -Be $databaseSet.Id
        $first.Record.Facts['ProjectPlan'] | Should -Be 'restore into the existing project'
        ($first.Record.Steps | Where-Object Name -Like 'Assess: *').Status | Sort-Object -Unique | Should -Be 'Succeeded'
        $page = Get-FakeList statuspage-api incidents
        $page | Should -HaveCount 1
        $page[0].incident_updates.status | Should -Be 'identified', 'investigating'
        $told = (Get-FakeList slack messages).Count
        $told | Should -BeGreaterThan 0
        (Get-FakeList slack messages).text -join ' ' | Should -BeLike "*Current state*$($databaseSet.Id)*"

        $again = Invoke-Runbook @{ IncidentId = $first.Record.Id; Only = 'Assess' }

        $again.Error | Should -BeNullOrEmpty
        $again.Record.Steps.Count | Should -Be $first.Record.Steps.Count
        (Get-FakeList statuspage-api incidents).Count | Should -Be 1
        (Get-FakeList slack messages).Count | Should -Be $told
    }

    It 'plans the rest of a kept incident under -WhatIf without running its completed steps or writing to it' {
        $first = Invoke-Runbook @{ Only = 'Assess' }
        $before = Get-Content -Raw (Join-Path $repository "incidents/$($first.Record.Id).json")

        $plan = Invoke-Runbook @{ IncidentId = $first.Record.Id; WhatIf = $true }

        $plan.Error | Should -BeNullOrEmpty
        $plan.Record.Outcome | Should -Be 'WhatIf'
        @($plan.Record.Steps | Where-Object Name -EQ 'Assess: Find the newest backups') | Should -HaveCount 1
        ($plan.Record.Steps | Where-Object Name -EQ 'Infrastructure: Restore the database').Status | Should -Be 'Skipped'
        Get-Content -Raw (Join-Path $repository "incidents/$($first.Record.Id).json") | Should -Be $before
        (Get-FakeList statuspage-api incidents).Count | Should -Be 1
    }

    It 'stops on a failed step with the incident saved, and a rerun continues without repeating what completed' {
        Set-HotmessFakeFault $fake -ServerErrorRate 1 -PathPrefix '/v9/projects' | Out-Null
        Invoke-FakeControl $fake vercel builds/fail @{ count = 100 } | Out-Null

        $first = Invoke-Runbook @{ From = 'Assess' }

        $first.Error | Should -Not -BeNullOrEmpty
        $id = Get-NewestIncidentId
        $kept = Get-KeptIncident $id
        $kept.outcome | Should -Be 'Failed'
        (Get-Steps $kept 'Infrastructure: Restore the database').status | Should -Be 'Succeeded'
        $failed = @($kept.steps | Where-Object status -EQ 'Failed')
        $failed | Should -HaveCount 1
        $failed[0].name | Should -BeLike 'Application: *'
        $kept.errorId | Should -Not -BeNullOrEmpty
        (Get-FakeList slack messages).text -join ' ' | Should -BeLike "*Recovery stopped*-IncidentId $($id)*"
        Join-Path $incidents "$($id).md" | Should -Exist

        Set-HotmessFakeFault $fake | Out-Null
        $second = Invoke-Runbook @{ IncidentId = $id }

        $kept = Get-KeptIncident $id
        Get-Steps $kept 'Infrastructure: Restore the database' | Should -HaveCount 1
        Get-Steps $kept 'Assess: Tell the team the current state' | Should -HaveCount 1
        (Get-FakeList statuspage-api incidents).Count | Should -Be 1
        @(Get-Steps $kept $failed[0].name).Count | Should -BeGreaterOrEqual 2
        $kept.notes.text -join ' ' | Should -BeLike '*Resumed after it ended Failed*'
    }

    It 'never restores the database a second time after a restore that did not complete, unless the step is named as safe to redo' {
        $env:HOTMESS_DATABASE_URL = $server.ConnectionString('hotmess')   # holds data: the restore refuses it
        $first = Invoke-Runbook @{ Only = 'Assess' }
        $refused = Invoke-Runbook @{ IncidentId = $first.Record.Id; Only = 'Infrastructure' }
        $refused.Error | Should -Not -BeNullOrEmpty
        (Get-Steps (Get-KeptIncident $first.Record.Id) 'Infrastructure: Restore the database').status | Should -Be 'Failed'

        $env:HOTMESS_DATABASE_URL = $server.ConnectionString($target)
        $again = Invoke-Runbook @{ IncidentId = $first.Record.Id; Only = 'Infrastructure' }

        $again.Error.FullyQualifiedErrorId | Should -BeLike 'RecoveryStepNotRepeatable*'
        $again.Error.Exception.Message | Should -BeLike "*'Infrastructure: Restore the database'*"
        Get-Steps (Get-KeptIncident $first.Record.Id) 'Infrastructure: Restore the database' | Should -HaveCount 1

        $redone = Invoke-Runbook @{ IncidentId = $first.Record.Id; Only = 'Infrastructure'; RedoStep = 'Infrastructure: Restore the database' }

        $redone.Error | Should -BeNullOrEmpty
        (Get-Steps (Get-KeptIncident $first.Record.Id) 'Infrastructure: Restore the database').status | Should -Be 'Failed', 'Succeeded'
        $redone.Record.RecoveredToUtc | Should -Be $databaseSet.StartedUtc
    }

    It 'communicates alone: status page monitoring then resolved, the incident closed Recovered, the report written with its RTO' {
        $first = Invoke-Runbook @{ Only = 'Assess'; ImpactStarted = [DateTimeOffset]::UtcNow.AddHours(-3) }

        $closed = Invoke-Runbook @{ IncidentId = $first.Record.Id; Only = 'Communicate'; SendUserNotice = $true }

        $closed.Error | Should -BeNullOrEmpty
        $closed.Record.Outcome | Should -Be 'Recovered'
        $closed.Record.MeasuredRto.TotalHours | Should -BeGreaterOrEqual 3
        ($closed.Record.Steps | Where-Object Name -Like 'Communicate: *').Status | Sort-Object -Unique | Should -Be 'Succeeded'
        (Get-FakeList statuspage-api incidents)[0].incident_updates.status | Should -Be 'resolved', 'monitoring', 'identified', 'investigating'
        Join-Path $incidents "$($first.Record.Id)-user-notice.md" | Should -Exist
        ($closed.Record.Steps | Where-Object Name -EQ 'Communicate: Send the user notice').Detail | Should -Be "skipped: the outage (3 h) is within the plan's 24 h objective"
        Get-FakeList resend emails | Should -BeNullOrEmpty
        $report = Get-Content -Raw (Join-Path $incidents "$($first.Record.Id)-report.md")
        $report | Should -BeLike '*| RTO (recovery time) | 3 h * | 24 h 00 min | Met |*'

        $rerun = Invoke-Runbook @{ IncidentId = $first.Record.Id }
        $rerun.Error.FullyQualifiedErrorId | Should -BeLike 'RecoveryAlreadyComplete*'
    }

    It 'restores the newest verified database set, not a newer one that was never verified' {
        $databaseSet | Test-HotmessBackup -RestoreTo $server.ConnectionString('platform_verify_scratch') | Out-Null
        $newer = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository

        $run = Invoke-Runbook @{ NewProject = $true; WhatIf = $true }

        $newer.StartedUtc | Should -BeGreaterThan $databaseSet.StartedUtc
        $run.Record.Facts['DatabaseSet'] | Should -Be $databaseSet.Id
        ($run.Record.Steps | Where-Object Name -EQ 'Assess: Find the newest backups').Detail | Should -BeLike "*Database $($databaseSet.Id) (verified)*"
    }
}

Describe 'Invoke-HotmessPlatformRecovery into a new project' {
    # The whole platform gone: a new project on a Supabase-shaped PostgreSQL, the database, storage and environment sets
    # restored into it, and every phase to Recovered; then one incident stopped at Integrations, Verify and Communicate,
    # and continued by reruns, one from its offsite copy, that do nothing twice.
    BeforeAll {
        $cluster = Start-SupabaseTestCluster
        $admin = { param($Database) Get-SupabaseAdminConnection $cluster $Database }
        $repository = Join-Path $TestDrive 'platform-backups'
        $migrations = Join-Path $TestDrive 'supabase/migrations'
        New-Item -ItemType Directory -Force $migrations | Out-Null
        'COMMENT ON TABLE public.marketplace_order IS ''Orders placed on the marketplace'';' |
            Set-Content (Join-Path $migrations '20261201000000_describe_orders.sql')
        # A table the backup predates: the integrity check after the migrations must take it as new, not as damage.
        'CREATE TABLE public.order_note (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text NOT NULL);' |
            Set-Content (Join-Path $migrations '20261201000100_order_notes.sql')
        $environmentKey = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
        $signing = 'whsec_test_' + [guid]::NewGuid().ToString('N').Substring(0, 16)
        $config = Join-Path $TestDrive 'hotmess-platform.json'
        Set-PlatformRecoveryConfiguration $fake $cluster $config "$($fake.Url)/site"

        function Set-Platform {
            # The platform as it runs, with the environment variables of the plan; the database at the cluster's hotmess.
            Reset-PlatformTestFake $fake
            Set-PlatformTestEnvironment $fake
            Add-SampleVercelVariables $fake
            Set-PlatformRecoveryIntegrations $fake $cluster "$($fake.Url)/site" $signing
            $env:HOTMESS_SITE_URL = "$($fake.Url)/site"
            $env:HOTMESS_DATABASE_URL = & $admin hotmess
            $env:HOTMESS_REPOSITORY = $null
            $env:SLACK_WEBHOOK_URL = "$($fake.Url)/slack/services/T0HOTMESS/B0ALERTS/hotmessfakewebhooktoken"
            $env:STATUSPAGE_API_KEY = 'statuspage-fake-oauth-key-0001'
            $env:STATUSPAGE_PAGE_ID = 'hotmesspage01'
            $env:STATUSPAGE_API_URL = "$($fake.Url)/statuspage-api/v1"
            $env:PAGERDUTY_ROUTING_KEY = $null
            $env:HOTMESS_CONFIG = $config
            $env:HOTMESS_ENVIRONMENT_KEY = $environmentKey
        }

        function Start-Disaster {
            # The project gone with its buckets, and the site down; the backups survive offsite.
            Set-Platform
            Invoke-FakeControl $fake supabase-management project @{ status = 'INACTIVE' } | Out-Null
            Remove-PlatformStorage $fake
            Invoke-FakeControl $fake site health @{ status = 503; failures = 2 } | Out-Null
            Invoke-FakeControl $fake vercel requests -Method Delete | Out-Null
        }

        function Invoke-PlatformRunbook([hashtable] $Parameters = @{}) {
            $output = [System.Collections.Generic.List[object]]::new()
            $thrown = $null
            try {
                & $runbook -Repository $repository -IncidentRepository $repository -IncidentPath $incidents -ProjectName "hotmess-recovered-$(Get-Random)" `
                    -MigrationsPath $migrations @Parameters | ForEach-Object { $output.Add($_) }
            }
            catch { $thrown = $_ }
            [pscustomobject]@{ Record = $output | Where-Object { $_ -is [Hotmess.Recovery.Incidents.IncidentRecord] } | Select-Object -Last 1; Error = $thrown }
        }

        function Invoke-AsAdmin([string] $Database, [string] $Sql) {
            $cluster.ExecuteSqlAs([Hotmess.Recovery.Sandbox.SupabaseTarget]::AdminUser, $cluster.Password, $Database, $Sql)
        }

        function Get-Payments {
            @((Invoke-FakeControl $fake stripe requests -Method Get) | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/payment_intents' }).Count
        }

        function Set-RecoverySecrets([string] $Id) {
            # A rerun in a new session holds none of the new project's secrets: the operator gives them, as the runbook
            # asks: the project's API keys, and its database as postgres after a reset of the database password.
            $ref = (Get-PlatformIncident $Id).facts.ProjectRef
            $keys = Invoke-RestMethod -Uri "$($fake.Url)/supabase-management/v1/projects/$ref/api-keys?reveal=true" -Headers @{ Authorization = "Bearer $env:SUPABASE_ACCESS_TOKEN" }
            $password = [guid]::NewGuid().ToString('N')
            Invoke-AsAdmin postgres "ALTER ROLE postgres WITH PASSWORD '$password'" | Out-Null
            $env:HOTMESS_RECOVERY_DATABASE_URL = $cluster.ConnectionString($ref, 'postgres', $password)
            $env:HOTMESS_RECOVERY_ANON_KEY = ($keys | Where-Object name -EQ 'anon').api_key
            $env:HOTMESS_RECOVERY_SERVICE_ROLE_KEY = ($keys | Where-Object name -EQ 'service_role').api_key
        }

        function Get-PlatformIncident([string] $Id) { Get-Content -Raw (Join-Path $repository "incidents/$Id.json") | ConvertFrom-Json }

        function Get-NewestPlatformIncidentId {
            (Get-ChildItem (Join-Path $repository 'incidents') -Filter '*.json' | Sort-Object Name | Select-Object -Last 1).BaseName
        }

        function Get-Creations {
            # What a rerun must not repeat: projects created, deployments asked of Vercel.
            [pscustomobject]@{
                Projects    = @((Invoke-FakeControl $fake supabase-management projects -Method Get).projects).Count
                Deployments = @((Invoke-FakeControl $fake vercel requests -Method Get) | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/deployments' }).Count
            }
        }

        # The backups of the platform as it ran: the database (verified), the storage buckets and the Vercel environment.
        Set-Platform
        Remove-PlatformStorage $fake
        $platformObjects = Add-PlatformStorage $fake
        $keyFile = Join-Path $TestDrive 'environment.key'
        $environmentKey | Set-Content $keyFile
        $platformSet = Backup-HotmessDatabase -ConnectionString (& $admin hotmess) -Repository $repository
        $storageSet = Backup-HotmessStorage -Repository $repository
        Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile -WarningAction SilentlyContinue | Out-Null
        $platformSet | Test-HotmessBackup -RestoreTo (& $admin hotmess_verify_scratch) | Out-Null
        $impact = [DateTimeOffset]::UtcNow
    }

    AfterAll {
        foreach ($name in 'HOTMESS_ENVIRONMENT_KEY', 'HOTMESS_RECOVERY_DATABASE_URL', 'HOTMESS_RECOVERY_ANON_KEY', 'HOTMESS_RECOVERY_SERVICE_ROLE_KEY') {
            [Environment]::SetEnvironmentVariable($name, $null)
        }
        Stop-HotmessTestPostgres $cluster
    }

    BeforeEach {
        $incidents = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        foreach ($name in 'HOTMESS_RECOVERY_DATABASE_URL', 'HOTMESS_RECOVERY_ANON_KEY', 'HOTMESS_RECOVERY_SERVICE_ROLE_KEY') { [Environment]::SetEnvironmentVariable($name, $null) }
        Start-Disaster
    }

    It 'recovers the whole platform into a new project: restored, storage included, migrated, deployed, paid, verified, communicated, Recovered with its RTO and RPO' {
        $run = Invoke-PlatformRunbook @{ ImpactStarted = $impact; Reason = 'The whole platform is gone' }

        $run.Error | Should -BeNullOrEmpty
        $run.Record.Outcome | Should -Be 'Recovered'
        $run.Record.MeasuredRto | Should -BeGreaterThan ([TimeSpan]::Zero)
        $run.Record.MeasuredRpo | Should -Not -BeNullOrEmpty
        $run.Record.RecoveredToUtc | Should -Be $platformSet.StartedUtc
        $failedOrSkipped = @($run.Record.Steps | Where-Object Status -NE 'Succeeded')
        $failedOrSkipped.Name | Should -BeNullOrEmpty
        $ref = $run.Record.Facts['ProjectRef']
        $ref | Should -Match '^[a-z]{20}$'
        $counts = Get-Creations
        $counts.Projects | Should -Be 1
        $counts.Deployments | Should -Be 1
        # The restored database in the new project: the sample rows, and the migration recorded as supabase db push does.
        [int] (Invoke-AsAdmin $ref 'SELECT count(*) FROM public.marketplace_order') | Should -BeGreaterThan 0
        Invoke-AsAdmin $ref "SELECT name FROM supabase_migrations.schema_migrations WHERE version = '20261201000000'" | Should -Be 'describe_orders'
        Invoke-AsAdmin $ref "SELECT to_regclass('public.order_note') IS NOT NULL" | Should -Be 't'
        # The storage set in the new project's buckets: every object, byte for byte.
        $run.Record.Facts['StorageSet'] | Should -Be $storageSet.Id
        ($run.Record.Steps | Where-Object Name -EQ 'Infrastructure: Restore the storage buckets').Detail | Should -BeLike "set $($storageSet.Id): $($platformObjects.Count) objects*"
        $stored = Get-PlatformStorage $fake $platformObjects.Keys
        $stored.Buckets | Sort-Object | Should -Be 'products', 'uploads'
        foreach ($name in $platformObjects.Keys) {
            $stored.Objects[$name] | Should -Not -BeNullOrEmpty -Because "$name is in the storage set"
            [Convert]::ToBase64String($stored.Objects[$name]) | Should -Be ([Convert]::ToBase64String($platformObjects[$name])) -Because "$name is restored as it was"
        }
        # The new project's URL and keys in Vercel: inline for the set's variables, set beside it for those the set lacks.
        (Get-VercelVariable $fake VITE_SUPABASE_URL).value | Sort-Object -Unique | Should -Be $fake.Url
        @(Get-VercelVariable $fake VITE_SUPABASE_ANON_KEY).Count | Should -BeGreaterThan 0
        (Get-VercelVariable $fake VITE_SUPABASE_ANON_KEY).value | Sort-Object -Unique | Should -Not -Be $env:VITE_SUPABASE_ANON_KEY
        (Get-VercelVariable $fake SUPABASE_URL).value | Sort-Object -Unique | Should -Be $fake.Url
        (Get-VercelVariable $fake SUPABASE_SERVICE_ROLE_KEY).value | Sort-Object -Unique | Should -Not -Be (Get-SampleVariableValues).SUPABASE_SERVICE_ROLE_KEY
        (Get-FakeList statuspage-api incidents)[0].incident_updates.status | Should -Contain 'resolved'
        (Get-FakeList resend emails).Count | Should -BeGreaterThan 0
        Join-Path $incidents "$($run.Record.Id)-report.md" | Should -Exist
        Get-Content -Raw (Join-Path $incidents "$($run.Record.Id)-report.md") | Should -BeLike '*RTO (recovery time)*Met*'
    }

    It 'stops at Integrations, Verify and Communicate, and each rerun continues the incident, from its offsite copy on a new machine, doing nothing twice and emailing each user once' {
        # One incident through three stops, each a failure in another phase: what completed before a stop is never
        # repeated. The sets were copied offsite, the record is copied there at every save, and the second run is on a
        # machine without the local repository. The outage started 30 h before, so the user notice is emailed (batches
        # of 10 for the sample's users).
        Import-Module (Join-Path $PSScriptRoot '../Support/Emulators.psm1') -Force
        $azurite = Start-HotmessAzurite
        $saved = @{}
        foreach ($name in 'AZURE_STORAGE_CONNECTION_STRING', 'HOTMESS_REPOSITORY_KEY', 'HOTMESS_OFFSITE_REPOSITORY') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
        function Get-OffsiteIncident([string] $Id) {
            $copy = [Hotmess.Recovery.Incidents.OffsiteIncidentCopy]::At($offsite, $null, [Environment]::GetEnvironmentVariables(), $null)
            try { $copy.Find($Id) } finally { $copy.Dispose() }
        }
        function Get-Notices { @(Invoke-FakeControl $fake resend emails -Method Get | ForEach-Object { $_ } | Where-Object subject -EQ 'HOTMESS service restored') }
        $lost = "$repository-lost"
        try {
            $offsite = "az://offsite/platform-$(Get-Random)"
            $env:AZURE_STORAGE_CONNECTION_STRING = $azurite.ConnectionString
            $env:HOTMESS_REPOSITORY_KEY = 'the offsite passphrase, long enough'
            $env:HOTMESS_OFFSITE_REPOSITORY = $offsite   # the first run takes it from the setting
            Set-PlatformRecoveryConfiguration $fake $cluster (Join-Path $TestDrive 'hotmess-notice.json') "$($fake.Url)/site" @{
                userNotice = @{ from = 'HOTMESS <hello@hotmess.london>'; batchSize = 10 }
            }
            $users = @((Invoke-AsAdmin hotmess "SELECT email FROM auth.users WHERE email_confirmed_at IS NOT NULL AND deleted_at IS NULL ORDER BY email") -split "`n" |
                    ForEach-Object Trim | Where-Object { $_ })
            $users.Count | Should -Be 43
            Get-HotmessBackup -Repository $repository | Copy-HotmessBackup -Destination $offsite | Out-Null
            Set-HotmessFakeFault $fake -ServerErrorRate 1 -PathPrefix '/stripe' | Out-Null

            # 1. Integrations: Stripe fails.
            $first = Invoke-PlatformRunbook @{ ImpactStarted = [DateTimeOffset]::UtcNow.AddHours(-30); SendUserNotice = $true }

            $first.Error | Should -Not -BeNullOrEmpty
            $id = Get-NewestPlatformIncidentId
            $kept = Get-PlatformIncident $id
            $kept.outcome | Should -Be 'Failed'
            $integrations = @($kept.steps | Where-Object status -EQ 'Failed').name
            $integrations | Should -HaveCount 1
            $integrations | Should -BeLike 'Integrations: *'
            (Get-Steps $kept 'Application: Deploy production').status | Should -Be 'Succeeded'
            (Get-Steps $kept 'Infrastructure: Restore the storage buckets').status | Should -Be 'Succeeded'
            $offsiteRecord = Get-OffsiteIncident $id
            $offsiteRecord.Outcome | Should -Be 'Failed'
            @($offsiteRecord.Steps | Where-Object Status -EQ 'Failed').Name | Should -Be $integrations
            $offsiteRecord.Steps.Count | Should -Be $kept.steps.Count

            $offsiteRecord.Facts['DatabaseSet'] | Should -Be $platformSet.Id
            ($offsiteRecord.Steps | Where-Object Name -EQ 'Assess: Find the newest backups').Detail | Should -BeLike "Database $($platformSet.Id) (verified); offsite $($platformSet.Id)*"

            # 2. Verify, on a new machine: the local repository, backups and incident, went with the old one. Stripe
            # answers again; the site's marketplace page does not.
            Set-HotmessFakeFault $fake | Out-Null
            Invoke-FakeControl $fake site pages @{ path = '/marketplace'; status = 500; body = 'Internal Server Error' } | Out-Null
            Set-RecoverySecrets $id
            Move-Item $repository $lost
            $env:HOTMESS_OFFSITE_REPOSITORY = $null
            $second = Invoke-PlatformRunbook @{ IncidentId = $id; OffsiteRepository = $offsite; SendUserNotice = $true }

            $second.Error | Should -Not -BeNullOrEmpty
            $kept = Get-PlatformIncident $id
            $kept.outcome | Should -Be 'Failed'
            $kept.notes.text -join ' ' | Should -BeLike "*continued from its offsite copy in '$offsite'*"
            @($kept.steps | Where-Object status -EQ 'Failed').name | Should -Be @($integrations; 'Verify: Test the critical user flows')
            (Get-Steps $kept $integrations).status | Should -Be 'Failed', 'Succeeded'
            (Get-Steps $kept 'Integrations: Take a test payment').status | Should -Be 'Succeeded'
            $payments = Get-Payments
            $payments | Should -BeGreaterThan 0
            Get-Notices | Should -BeNullOrEmpty

            # 3. Communicate: Resend takes two batches of the user notice, then keeps failing.
            Invoke-FakeControl $fake site pages -Method Delete | Out-Null
            Invoke-FakeControl $fake resend batch-faults @{ after = 2; count = 1000; fault = '500' } | Out-Null
            $third = Invoke-PlatformRunbook @{ IncidentId = $id; OffsiteRepository = $offsite; SendUserNotice = $true }

            $third.Error | Should -Not -BeNullOrEmpty
            $kept = Get-PlatformIncident $id
            $kept.outcome | Should -Be 'Failed'
            $kept.errorId | Should -Be 'UserNoticeBatchFailed'
            @($kept.steps | Where-Object status -EQ 'Failed').name | Should -Be @($integrations; 'Verify: Test the critical user flows'; 'Communicate: Send the user notice')
            (Get-Steps $kept 'Communicate: Prepare the user notice').status | Should -Be 'Succeeded'
            (Get-Notices).Count | Should -Be 20

            # 4. Resend answers again: the run completes, the data checked against the set read from offsite.
            Invoke-FakeControl $fake resend batch-faults @{ count = 0 } | Out-Null
            $fourth = Invoke-PlatformRunbook @{ IncidentId = $id; OffsiteRepository = $offsite; SendUserNotice = $true }

            $fourth.Error | Should -BeNullOrEmpty
            $fourth.Record.Outcome | Should -Be 'Recovered'
            $kept = Get-PlatformIncident $id
            foreach ($once in 'Infrastructure: Create the Supabase project', 'Infrastructure: Restore the database', 'Infrastructure: Restore the storage buckets',
                'Infrastructure: Apply the migrations', 'Application: Deploy production', 'Integrations: Take a test payment') {
                Get-Steps $kept $once | Should -HaveCount 1 -Because "$once completed before a stop"
            }
            (Get-Steps $kept 'Verify: Test the critical user flows').status | Should -Be 'Failed', 'Succeeded'
            (Get-Steps $kept 'Verify: Check the data against the backup').detail | Should -BeLike "* checks against $($platformSet.Id) passed"
            @(Get-HotmessBackup -Repository $repository -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty -Because 'the new machine has no set of its own'
            (Get-Steps $kept 'Communicate: Send the user notice').status | Should -Be 'Failed', 'Succeeded'
            (Get-Steps $kept 'Communicate: Send the user notice')[1].detail | Should -Be 'sent to 43 of 43 users in 5 batch(es)'
            Get-Payments | Should -Be $payments
            $counts = Get-Creations
            $counts.Projects | Should -Be 1
            $counts.Deployments | Should -Be 1
            $notices = Get-Notices
            @($notices | ForEach-Object { $_.to }) | Sort-Object | Should -Be ($users | Sort-Object) -Because 'every user gets exactly one notice'
            $notices.from | Sort-Object -Unique | Should -Be 'HOTMESS <hello@hotmess.london>'
            $kept.notes.text + $kept.nextSteps | Where-Object { $_ -match '@hotmess\.example' } | Should -BeNullOrEmpty
            (Get-OffsiteIncident $id).Outcome | Should -Be 'Recovered'
        }
        finally {
            foreach ($entry in $saved.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
            Stop-HotmessEmulator $azurite
            if (Test-Path $lost) {
                Remove-Item -Recurse -Force $repository -ErrorAction SilentlyContinue
                Move-Item $lost $repository
            }
        }
    }
}
