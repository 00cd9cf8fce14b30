#Requires -Version 7.4
# The platform recovery drill: Procedure 4's runbook run phase by phase, in a pwsh of its own, against the drill
# targets. The runbook here is one with the agreed parameters that records how it was called (and fails a phase when
# told), so what the drill passes, what it refuses and what it cleans up are seen from the runbook's side.

BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessRecoveryDrillCommand'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    $runbook = Join-Path $TestDrive 'Invoke-HotmessPlatformRecovery.ps1'
    Set-Content $runbook @'
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $IncidentId, [string] $From, [string] $Only, [switch] $NewProject, [string] $ProjectName, [string] $Repository,
    [string] $RepositoryKeyFile, [string] $MigrationsPath, [string] $GitRef, [uri] $SiteUrl, [DateTimeOffset] $ImpactStarted,
    [switch] $AllowLivePayment, [switch] $SendUserNotice, [string] $IncidentPath
)
$configuration = Get-Content -Raw $env:HOTMESS_CONFIG | ConvertFrom-Json
[ordered]@{
    Only = $Only; IncidentId = $IncidentId; NewProject = [bool]$NewProject; ProjectName = $ProjectName; Repository = $Repository
    GitRef = $GitRef; SiteUrl = "$SiteUrl"; ImpactStarted = $ImpactStarted.ToString('o'); IncidentPath = $IncidentPath
    AllowLivePayment = [bool]$AllowLivePayment; SendUserNotice = [bool]$SendUserNotice; ConfigurationPath = $env:HOTMESS_CONFIG
    VercelProjectId = $configuration.platform.vercelProjectId; PlatformSiteUrl = $configuration.platform.siteUrl
    SupabaseProjectRef = $configuration.platform.supabaseProjectRef; Database = $configuration.database.connectionString
    AlertingEmail = @($configuration.alerting.email.to).Count; Announcing = @($env:SLACK_WEBHOOK_URL, $env:PAGERDUTY_ROUTING_KEY, $env:STATUSPAGE_API_KEY) -join ''
    StripeKey = $env:STRIPE_SECRET_KEY; ModuleLoaded = [bool](Get-Command Get-HotmessBackup -ErrorAction Ignore)
} | ConvertTo-Json -Compress | Add-Content $env:HOTMESS_TEST_RUNBOOK_LOG
if ($Only -eq $env:HOTMESS_TEST_RUNBOOK_FAIL) { throw "The Stripe fake answered 500 in the $Only phase." }
[pscustomobject]@{ IncidentId = $IncidentId; Outcome = $(if ($Only -eq 'Verify') { 'Recovered' } else { 'InProgress' }) }
'@

    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $repository = Join-Path $TestDrive 'repository'
    $set = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
    $null = $set | Test-HotmessBackup
    $drillSite = 'https://drill.hotmess.test/'
}

AfterAll {
    $server | Stop-HotmessTestPostgres
    $env:HOTMESS_TEST_RUNBOOK_LOG = $env:HOTMESS_TEST_RUNBOOK_FAIL = $env:STRIPE_SECRET_KEY = $env:VERCEL_PROJECT_ID = $env:HOTMESS_SITE_URL = $null
    $env:SLACK_WEBHOOK_URL = $env:PAGERDUTY_ROUTING_KEY = $env:STATUSPAGE_API_KEY = $null
}

Describe 'Invoke-HotmessRecoveryDrill PlatformRecovery' {
    BeforeEach {
        $env:HOTMESS_CONFIG = $null
        $env:HOTMESS_TEST_RUNBOOK_LOG = Join-Path $TestDrive "runbook-$([guid]::NewGuid().ToString('N')).log"
        $env:HOTMESS_TEST_RUNBOOK_FAIL = $null
        $env:STRIPE_SECRET_KEY = 'sk_test_drill'
        $env:VERCEL_PROJECT_ID = 'prj_hotmess'
        $env:HOTMESS_SITE_URL = 'https://hotmess.test'
        $env:SLACK_WEBHOOK_URL = $env:PAGERDUTY_ROUTING_KEY = $env:STATUSPAGE_API_KEY = $null

        function Get-RunbookCall { if (Test-Path $env:HOTMESS_TEST_RUNBOOK_LOG) { Get-Content $env:HOTMESS_TEST_RUNBOOK_LOG | ConvertFrom-Json } }
    }

    It 'runs the runbook phase by phase under one incident, on a new project, the drill project and its site, and never Communicate' {
        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -GitRef main

        $calls = @(Get-RunbookCall)
        $calls.Only | Should -Be @('Assess', 'Infrastructure', 'Application', 'Integrations', 'Verify')
        @($calls.IncidentId | Select-Object -Unique) | Should -HaveCount 1
        $calls[0].IncidentId | Should -Match '^drill-\d{8}T\d{6}$'
        $calls.NewProject | Should -Not -Contain $false
        $calls[0].ProjectName | Should -Match '^hotmess-drill-\d{12}$'
        $calls.SiteUrl | Should -Not -Contain 'https://hotmess.test/'
        $calls[0].SiteUrl | Should -Be $drillSite
        $calls[0].Repository | Should -Be $repository
        $calls[0].GitRef | Should -Be 'main'
        [DateTimeOffset]$calls[0].ImpactStarted | Should -Be $drill.SimulatedIncidentUtc
        $calls.AllowLivePayment | Should -Not -Contain $true
        $calls.SendUserNotice | Should -Not -Contain $true
        $calls[0].ModuleLoaded | Should -BeTrue
        $calls[0].VercelProjectId | Should -Be 'prj_hotmess_drill'
        $calls[0].PlatformSiteUrl | Should -Be $drillSite
        $calls[0].Database | Should -BeNullOrEmpty
        $calls[0].SupabaseProjectRef | Should -BeNullOrEmpty

        $drill.Passed | Should -BeTrue
        $drill.Scenario | Should -Be 'PlatformRecovery'
        $drill.Target | Should -Match "^new Supabase project '$($calls[0].ProjectName)', Vercel project 'prj_hotmess_drill'"
        $drill.RtoObjective | Should -Be ([TimeSpan]::FromHours(24))
        $drill.RpoObjective | Should -Be ([TimeSpan]::FromHours(24))
        $drill.ObjectivesSource | Should -Be "the plan's 'Full disaster' row"
        $drill.SurvivingSetId | Should -Be $set.Id
        $drill.Rpo | Should -Be ($drill.SimulatedIncidentUtc - $set.StartedUtc)
        $drill.Rto | Should -Be ($drill.ServiceVerifiedUtc - $drill.SimulatedIncidentUtc)
        $drill.Steps.Name | Should -Be @(
            'Simulate the failure: everything is lost, the newest verified database set survived'
            'Runbook phase Assess', 'Runbook phase Infrastructure', 'Runbook phase Application', 'Runbook phase Integrations', 'Runbook phase Verify'
            "Delete the drill's incident folder and configuration")
        $drill.Steps[-2].Detail | Should -Match 'incident outcome so far: Recovered'
        Split-Path $calls[0].ConfigurationPath | Should -Not -Exist
        (Get-HotmessDrill -Repository $repository -Scenario PlatformRecovery -Latest).Id | Should -Be $drill.Id
    }

    It 'alerts nobody from the drill: no alerting addresses and no Slack, PagerDuty or Statuspage credentials reach the runbook' {
        $env:SLACK_WEBHOOK_URL = 'https://hooks.slack.test/T000/B000/drill'
        $env:PAGERDUTY_ROUTING_KEY = 'routing-key-drill'
        $env:STATUSPAGE_API_KEY = 'statuspage-key-drill'
        $config = Join-Path $TestDrive 'alerting.json'
        @{ repository = $repository; alerting = @{ email = @{ to = @('oncall@hotmess.test') } } } | ConvertTo-Json -Depth 5 | Set-Content $config
        [IO.File]::SetUnixFileMode($config, [IO.UnixFileMode]'UserRead, UserWrite')

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -ConfigurationPath $config -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite

        $drill.Passed | Should -BeTrue
        $calls = @(Get-RunbookCall)
        $calls | Should -HaveCount 5
        $calls.AlertingEmail | Should -Not -Contain 1
        $calls.Announcing | Where-Object { $_ } | Should -BeNullOrEmpty
        $calls[0].StripeKey | Should -Be 'sk_test_drill'
    }

    It 'fails the drill at the phase the runbook failed, runs no later phase, keeps the record and still cleans up' {
        $env:HOTMESS_TEST_RUNBOOK_FAIL = 'Application'

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WarningAction SilentlyContinue

        (Get-RunbookCall).Only | Should -Be @('Assess', 'Infrastructure', 'Application')
        $drill.Passed | Should -BeFalse
        $drill.Rto | Should -BeNullOrEmpty
        $failed = $drill.Steps | Where-Object { -not $_.Passed }
        $failed.Name | Should -Be 'Runbook phase Application'
        $failed.ErrorId | Should -Be 'DrillRunbookFailed'
        $failed.Detail | Should -Match 'Application phase .*The Stripe fake answered 500 in the Application phase'
        $drill.Steps[-1].Cleanup | Should -BeTrue
        $drill.Steps[-1].Passed | Should -BeTrue
        (Get-HotmessDrill -Repository $repository -Id $drill.Id).Passed | Should -BeFalse
    }

    It 'refuses a live Stripe key before anything runs' {
        $env:STRIPE_SECRET_KEY = 'sk_live_drill'
        $before = @(Get-HotmessDrill -Repository $repository).Count

        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillTargetIsProduction,$command"
        $thrown.Exception.Message | Should -Match 'live key'
        $thrown.Exception.Message | Should -Not -Match 'sk_live_drill'
        Get-RunbookCall | Should -BeNullOrEmpty
        @(Get-HotmessDrill -Repository $repository).Count | Should -Be $before
    }

    It 'refuses the production Vercel project and the production site' {
        (Get-ThrownError { Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess -SiteUrl $drillSite }).FullyQualifiedErrorId |
            Should -Be "DrillTargetIsProduction,$command"
        (Get-ThrownError { Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl 'https://hotmess.test/' }).FullyQualifiedErrorId |
            Should -Be "DrillTargetIsProduction,$command"
        Get-RunbookCall | Should -BeNullOrEmpty
    }

    It 'names the runbook it cannot find' {
        $missing = Join-Path $TestDrive 'nowhere/Invoke-HotmessPlatformRecovery.ps1'

        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $missing -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite }

        $thrown.FullyQualifiedErrorId | Should -Be "DrillRunbookMissing,$command"
        $thrown.Exception.Message | Should -Match ([regex]::Escape($missing))
    }

    It 'shows the plan with -WhatIf, and runs and keeps nothing' {
        $before = @(Get-HotmessDrill -Repository $repository).Count

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WhatIf

        $drill | Should -BeNullOrEmpty
        Get-RunbookCall | Should -BeNullOrEmpty
        @(Get-HotmessDrill -Repository $repository).Count | Should -Be $before
    }
}
