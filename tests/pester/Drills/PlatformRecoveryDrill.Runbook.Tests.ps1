#Requires -Version 7.4
# The platform recovery drill with Procedure 4's own runbook, against the fakes (Vercel, Supabase Management, Stripe,
# Resend, Slack, PagerDuty, Statuspage) and a Supabase-shaped PostgreSQL: a new project, the drill's Vercel project and
# site, nobody alerted, the record kept.

BeforeAll {
    . (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
    . (Join-Path $PSScriptRoot '../Support/PlatformRecovery.ps1')
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    Import-Module HotmessRecovery -Force
    $fake = Start-PlatformTestFake
    foreach ($name in 'HOTMESS_DATABASE_URL', 'SLACK_WEBHOOK_URL', 'STATUSPAGE_API_KEY', 'STATUSPAGE_PAGE_ID', 'STATUSPAGE_API_URL', 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL') {
        $fake.SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $cluster = Start-SupabaseTestCluster
    $repository = Join-Path $TestDrive 'backups'
    $drillSite = "$($fake.Url)/site/"

    # The platform as it runs, in production: its project prj_hotmess and its site; the drill's are beside them.
    Reset-PlatformTestFake $fake
    Set-PlatformTestEnvironment $fake
    $environmentKey = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
    $env:HOTMESS_ENVIRONMENT_KEY = $environmentKey
    $env:HOTMESS_SITE_URL = 'https://hotmess.test'
    $env:HOTMESS_DATABASE_URL = Get-SupabaseAdminConnection $cluster hotmess
    Set-PlatformRecoveryConfiguration $fake $cluster (Join-Path $TestDrive 'hotmess.json') $drillSite `
        -Extra @{ repository = $repository; platform = @{ siteUrl = $env:HOTMESS_SITE_URL } }

    # The backups that survive: the database, verified, and the Vercel environment.
    $keyFile = Join-Path $TestDrive 'environment.key'
    $environmentKey | Set-Content $keyFile
    $set = Backup-HotmessDatabase -ConnectionString (Get-SupabaseAdminConnection $cluster hotmess) -Repository $repository
    $set | Test-HotmessBackup -RestoreTo (Get-SupabaseAdminConnection $cluster hotmess_verify_scratch) | Out-Null
    Add-SampleVercelVariables $fake
    Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile -WarningAction SilentlyContinue | Out-Null

    function Get-FakeList([string] $Service, [string] $Path) {
        $list = Invoke-FakeControl $fake $Service $Path -Method Get
        , @(foreach ($item in $list) { $item })
    }
}

AfterAll {
    [Environment]::SetEnvironmentVariable('HOTMESS_ENVIRONMENT_KEY', $null)
    Stop-HotmessTestPostgres $cluster
    Stop-PlatformTestFake $fake
}

Describe 'Invoke-HotmessRecoveryDrill PlatformRecovery with Procedure 4''s runbook' {
    BeforeAll {
        # The Vercel fake serves one project: for the drill, the drill project; production's is never asked for.
        $signing = 'whsec_test_' + [guid]::NewGuid().ToString('N').Substring(0, 16)
        Invoke-FakeControl $fake vercel reset @{ stepMs = 100; projectId = 'prj_hotmess_drill' } | Out-Null
        Invoke-FakeControl $fake vercel deployments @{ deployments = @(@{ uid = 'dpl_drill'; target = 'production' }) } | Out-Null
        foreach ($service in 'slack', 'resend') { Invoke-FakeControl $fake $service reset | Out-Null }
        Set-PlatformRecoveryIntegrations $fake $cluster $drillSite $signing
        # Where a real incident is announced: set, so the drill is seen to keep them from the runbook.
        $env:SLACK_WEBHOOK_URL = "$($fake.Url)/slack/services/T0HOTMESS/B0ALERTS/hotmessfakewebhooktoken"
        $env:STATUSPAGE_API_KEY = 'statuspage-fake-oauth-key-0001'
        $env:STATUSPAGE_PAGE_ID = 'hotmesspage01'
        $env:STATUSPAGE_API_URL = "$($fake.Url)/statuspage-api/v1"
        $env:PAGERDUTY_ROUTING_KEY = 'pagerduty-routing-key-0001'
        $env:PAGERDUTY_EVENTS_URL = "$($fake.Url)/pagerduty"
        $migrations = Join-Path $TestDrive 'supabase/migrations'
        New-Item -ItemType Directory -Force $migrations | Out-Null
        'COMMENT ON TABLE public.marketplace_order IS ''Orders placed on the marketplace'';' | Set-Content (Join-Path $migrations '20261201000000_describe_orders.sql')

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite `
            -MigrationsPath $migrations -RepositoryKeyFile $keyFile -WarningAction SilentlyContinue
    }

    It 'passes, with every step of the runbook and its duration' {
        $failed = @($drill.Steps | Where-Object { -not $_.Passed -and -not $_.Cleanup })
        $failed | ForEach-Object { "$($_.Name): $($_.Detail)" } | Should -BeNullOrEmpty
        $drill.Passed | Should -BeTrue
        $runbookSteps = @($drill.Steps | Where-Object Name -Like 'Runbook *')
        foreach ($phase in 'Assess', 'Infrastructure', 'Application', 'Integrations', 'Verify', 'Communicate') {
            @($runbookSteps | Where-Object Name -Like "Runbook $($phase): *").Count | Should -BeGreaterThan 0 -Because "the runbook's $phase phase ran"
        }
        $runbookSteps.Name | Should -Contain 'Runbook Infrastructure: Restore the database'
        $runbookSteps.Name | Should -Contain 'Runbook Verify: Test the critical user flows'
        ($runbookSteps | Where-Object Name -EQ 'Runbook Infrastructure: Restore the database').Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
        $runbookSteps | ForEach-Object { $_.Duration | Should -Not -BeNullOrEmpty -Because "$($_.Name) was timed" }
    }

    It 'measures RTO and RPO within the Full disaster objectives of 24 h and 24 h' {
        $drill.ObjectivesSource | Should -Be "the plan's 'Full disaster' row"
        $drill.RtoObjective | Should -Be ([TimeSpan]::FromHours(24))
        $drill.RpoObjective | Should -Be ([TimeSpan]::FromHours(24))
        $drill.Rto | Should -BeGreaterThan ([TimeSpan]::Zero)
        $drill.Rto | Should -BeLessOrEqual $drill.RtoObjective
        $drill.Rpo | Should -Not -BeNullOrEmpty
        $drill.Rpo | Should -BeLessOrEqual $drill.RpoObjective
        $drill.NewestDataRecoveredUtc | Should -Be $set.StartedUtc
    }

    It 'creates a new Supabase project, not production''s, and restores the set into it' {
        $projects = @((Invoke-FakeControl $fake supabase-management projects -Method Get).projects)
        $projects | Should -HaveCount 1
        $left = $drill.Steps | Where-Object { $_.Cleanup -and $_.ErrorId -eq 'DrillProjectLeft' }
        $left.Name | Should -Match '^Delete the Supabase project [a-z]{20}$'
        $ref = ($left.Name -split ' ')[-1]
        $ref | Should -Not -Be $FakeKeys.ProjectRef
        # The old project is lost in the simulation: the runbook is not even told its ref.
        ($drill.Steps | Where-Object Name -EQ 'Runbook Assess: Check the Supabase project').Detail | Should -Not -Match $FakeKeys.ProjectRef
        [int] $cluster.ExecuteSqlAs([Hotmess.Recovery.Sandbox.SupabaseTarget]::AdminUser, $cluster.Password, $ref, 'SELECT count(*) FROM public.marketplace_order') |
            Should -BeGreaterThan 0
    }

    It 'leaves the production Vercel project and site alone: every Vercel call is for the drill project' {
        $requests = @(Invoke-FakeControl $fake vercel requests -Method Get)
        $requests | Should -Not -BeNullOrEmpty
        $named = @($requests | ForEach-Object { "$($_.method) $($_.path)$($_.query)" } | Where-Object { $_ -match 'prj_hotmess' })
        $named | Should -Not -BeNullOrEmpty
        $named | Where-Object { $_ -match 'prj_hotmess(?!_drill)' } | Should -BeNullOrEmpty
        @($requests | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/deployments' }) | Should -HaveCount 1
        $drill.Target | Should -Match "Vercel project 'prj_hotmess_drill', site $([regex]::Escape($fake.Url))$"
    }

    It 'alerts nobody: Slack, PagerDuty and Statuspage receive nothing, the email check goes to Resend''s test address' {
        (Get-FakeList slack messages).Count | Should -Be 0
        (Get-FakeList pagerduty events).Count | Should -Be 0
        (Get-FakeList statuspage-api incidents).Count | Should -Be 0
        $emails = Get-FakeList resend emails
        $emails | Should -Not -BeNullOrEmpty
        $emails.to | Sort-Object -Unique | Should -Be 'delivered@resend.dev'
    }

    It 'keeps the drill''s record' {
        $kept = Get-HotmessDrill -Repository $repository -Scenario PlatformRecovery -Latest
        $kept.Id | Should -Be $drill.Id
        $kept.Passed | Should -BeTrue
        $kept.Rto | Should -Be $drill.Rto
    }
}
