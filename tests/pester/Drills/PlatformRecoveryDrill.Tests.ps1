#Requires -Version 7.4
# The platform recovery drill: Procedure 4's runbook run once, in a pwsh of its own, against the drill targets. The
# runbook here has the real one's parameters and keeps its incident through the same checkpoints
# (New-HotmessIncident, Open-HotmessRecoveryRun), one step per phase; it records how it was called and fails a phase
# when told, so what the drill passes, measures, refuses and cleans up is seen from the runbook's side.

BeforeAll {
    Import-Module HotmessRecovery -Force
    Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force
    $command = 'Hotmess.Recovery.Cmdlets.Commands.InvokeHotmessRecoveryDrillCommand'

    function Get-ThrownError([scriptblock] $Script) {
        try { & $Script; $null } catch { $_ }
    }

    function Get-RunbookCall { if (Test-Path $env:HOTMESS_TEST_RUNBOOK_LOG) { Get-Content $env:HOTMESS_TEST_RUNBOOK_LOG | ConvertFrom-Json } }

    function Set-DrillEnvironment {
        # What every drill here starts from: a log of its own for the runbook's calls, a test-mode Stripe key, nobody to alert.
        $env:HOTMESS_CONFIG = $null
        $env:HOTMESS_TEST_RUNBOOK_LOG = Join-Path $TestDrive "runbook-$([guid]::NewGuid().ToString('N')).log"
        $env:HOTMESS_TEST_RUNBOOK_FAIL = $null
        $env:HOTMESS_TEST_RECOVERED_TO = $set.StartedUtc.AddMinutes(-5).ToString('o')
        $env:STRIPE_SECRET_KEY = 'sk_test_drill'
        $env:VERCEL_PROJECT_ID = 'prj_hotmess'
        $env:HOTMESS_SITE_URL = 'https://hotmess.test'
        $env:SLACK_WEBHOOK_URL = $env:PAGERDUTY_ROUTING_KEY = $env:STATUSPAGE_API_KEY = $null
    }

    $runbook = Join-Path $TestDrive 'Invoke-HotmessPlatformRecovery.ps1'
    Set-Content $runbook @'
[CmdletBinding(SupportsShouldProcess)]
param(
    [string] $IncidentId, [string] $From, [string] $Only, [switch] $NewProject, [string] $ProjectName = 'hotmess-recovered', [string] $Repository,
    [string] $RepositoryKeyFile, [string] $OffsiteRepository, [string] $MigrationsPath, [string] $GitRef = 'main', [uri] $SiteUrl, [Nullable[DateTimeOffset]] $ImpactStarted,
    [switch] $AllowLivePayment, [switch] $SendUserNotice, [string] $IncidentPath = './incidents', [string] $IncidentRepository,
    [string[]] $RedoStep = @(), [string] $Reason = 'Complete platform loss'
)
$ErrorActionPreference = 'Stop'
$configuration = Get-Content -Raw $env:HOTMESS_CONFIG | ConvertFrom-Json
[ordered]@{
    IncidentId = $IncidentId; From = $From; Only = $Only; NewProject = [bool]$NewProject; ProjectName = $ProjectName; Repository = $Repository
    GitRef = $GitRef; SiteUrl = "$SiteUrl"; ImpactStarted = $ImpactStarted.ToString('o'); IncidentPath = $IncidentPath; IncidentRepository = $IncidentRepository
    AllowLivePayment = [bool]$AllowLivePayment; SendUserNotice = [bool]$SendUserNotice; ConfigurationPath = $env:HOTMESS_CONFIG
    VercelProjectId = $configuration.platform.vercelProjectId; PlatformSiteUrl = $configuration.platform.siteUrl
    SupabaseProjectRef = $configuration.platform.supabaseProjectRef; Database = $configuration.database.connectionString
    AlertingEmail = @($configuration.alerting.email.to) -join ','; Announcing = @($env:SLACK_WEBHOOK_URL, $env:PAGERDUTY_ROUTING_KEY, $env:STATUSPAGE_API_KEY) -join ''
    Offsite = $env:HOTMESS_OFFSITE_REPOSITORY; StripeKey = $env:STRIPE_SECRET_KEY; VercelProjectVariable = $env:VERCEL_PROJECT_ID; WebhookUrl = $configuration.stripe.webhookUrl
} | ConvertTo-Json -Compress | Add-Content $env:HOTMESS_TEST_RUNBOOK_LOG
if ($env:HOTMESS_TEST_RUNBOOK_FAIL -eq 'Start') { throw 'The runbook could not start.' }

$incident = New-HotmessIncident $Reason -Name platform-recovery -Procedure 'Procedure 4: Complete Platform Recovery' -Severity Critical `
    -Scenario 'Full disaster' -ImpactStartedUtc $ImpactStarted -Repository $IncidentRepository -Confirm:$false
$run = Open-HotmessRecoveryRun -Id $incident.Id -Repository $IncidentRepository -Confirm:$false
foreach ($phase in 'Assess', 'Infrastructure', 'Application', 'Integrations', 'Verify', 'Communicate') {
    $null = $run.Begin($phase, 'Do it', $false, $false)
    if ($phase -eq $env:HOTMESS_TEST_RUNBOOK_FAIL) {
        $run.Fail($phase, 'Do it', 'The Stripe fake answered 500.', 'StripeRequestFailed')
        $null = $run.Close('Failed', 'StripeRequestFailed', 'The Stripe fake answered 500.')
        throw "The Stripe fake answered 500 in the $phase phase."
    }
    Start-Sleep -Milliseconds 20
    if ($phase -eq 'Infrastructure') {
        $run.SetFact('ProjectRef', 'drillprojectref00001')
        $run.SetRecoveredTo([DateTimeOffset]$env:HOTMESS_TEST_RECOVERED_TO)
    }
    $run.Succeed($phase, 'Do it', "$phase done")
}
$run.Close('Recovered')
'@

    $server = Start-HotmessTestPostgres -SampleDatabase hotmess
    $repository = Join-Path $TestDrive 'repository'
    $set = Backup-HotmessDatabase -ConnectionString $server.ConnectionString('hotmess') -Repository $repository
    $null = $set | Test-HotmessBackup
    $drillSite = 'https://drill.hotmess.test/'
}

AfterAll {
    $server | Stop-HotmessTestPostgres
    $env:HOTMESS_TEST_RUNBOOK_LOG = $env:HOTMESS_TEST_RUNBOOK_FAIL = $env:HOTMESS_TEST_RECOVERED_TO = $env:STRIPE_SECRET_KEY = $env:VERCEL_PROJECT_ID = $env:HOTMESS_SITE_URL = $null
    $env:SLACK_WEBHOOK_URL = $env:PAGERDUTY_ROUTING_KEY = $env:STATUSPAGE_API_KEY = $null
}

Describe 'Invoke-HotmessRecoveryDrill PlatformRecovery' {
    BeforeEach {
        Set-DrillEnvironment
    }

    Context 'a drill that passes' {
        # One drill, and what it shows: the Its below read the same run, as a fresh pwsh per drill is the slow part.
        BeforeAll {
            Set-DrillEnvironment
            $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -GitRef main `
                -WarningVariable warnings -WarningAction SilentlyContinue
            $calls = @(Get-RunbookCall)
        }

        It 'runs the runbook once on a new project, the drill project and its site, and times every step its incident recorded' {
            $calls | Should -HaveCount 1
            $call = $calls[0]
            "$($call.IncidentId)$($call.From)$($call.Only)" | Should -BeNullOrEmpty
            $call.NewProject | Should -BeTrue
            $call.ProjectName | Should -Match '^hotmess-drill-\d{12}$'
            $call.SiteUrl | Should -Be $drillSite
            $call.Repository | Should -Be $repository
            $call.GitRef | Should -Be 'main'
            [DateTimeOffset]$call.ImpactStarted | Should -Be $drill.SimulatedIncidentUtc
            $call.AllowLivePayment | Should -BeFalse
            $call.SendUserNotice | Should -BeFalse
            $call.VercelProjectId | Should -Be 'prj_hotmess_drill'
            $call.VercelProjectVariable | Should -Be 'prj_hotmess_drill'
            $call.PlatformSiteUrl | Should -Be $drillSite
            $call.Database | Should -BeNullOrEmpty
            $call.SupabaseProjectRef | Should -BeNullOrEmpty
            $call.StripeKey | Should -Be 'sk_test_drill'

            $drill.Passed | Should -BeTrue
            $drill.Scenario | Should -Be 'PlatformRecovery'
            $drill.Target | Should -Match "^new Supabase project '$($call.ProjectName)', Vercel project 'prj_hotmess_drill'"
            $drill.RtoObjective | Should -Be ([TimeSpan]::FromHours(24))
            $drill.RpoObjective | Should -Be ([TimeSpan]::FromHours(24))
            $drill.ObjectivesSource | Should -Be "the plan's 'Full disaster' row"
            $drill.SurvivingSetId | Should -Be $set.Id
            $drill.Steps.Name | Should -Be @(
                'Simulate the failure: everything is lost, the newest verified database set survived'
                'Runbook Assess: Do it', 'Runbook Infrastructure: Do it', 'Runbook Application: Do it', 'Runbook Integrations: Do it'
                'Runbook Verify: Do it', 'Runbook Communicate: Do it'
                "Delete the drill's incident folder and configuration"
                'Delete the Supabase project drillprojectref00001')
            $verify = $drill.Steps | Where-Object Name -EQ 'Runbook Verify: Do it'
            $verify.Detail | Should -Be 'Verify done'
            $verify.Duration | Should -BeGreaterThan ([TimeSpan]::Zero)
            $drill.ServiceVerifiedUtc | Should -Be ($verify.StartedUtc + $verify.Duration)
            $drill.Rto | Should -Be ($drill.ServiceVerifiedUtc - $drill.SimulatedIncidentUtc)
            $drill.NewestDataRecoveredUtc | Should -Be ([DateTimeOffset]$env:HOTMESS_TEST_RECOVERED_TO)
            $drill.Rpo | Should -Be ($drill.SimulatedIncidentUtc - [DateTimeOffset]$env:HOTMESS_TEST_RECOVERED_TO)
            $call.IncidentRepository | Should -Not -Exist
            Split-Path $call.ConfigurationPath | Should -Not -Exist
            (Get-HotmessDrill -Repository $repository -Scenario PlatformRecovery -Latest).Id | Should -Be $drill.Id
        }

        It 'names the Supabase project the runbook created as left to delete, in a failed cleanup step and an improvement, without failing the drill' {
            $drill.Passed | Should -BeTrue
            $left = $drill.Steps[-1]
            $left.Name | Should -Be 'Delete the Supabase project drillprojectref00001'
            $left.Cleanup | Should -BeTrue
            $left.Passed | Should -BeFalse
            $left.ErrorId | Should -Be 'DrillProjectLeft'
            $drill.Improvements | Should -Contain "Cleanup 'Delete the Supabase project drillprojectref00001' failed: $($left.Detail) Remove what it left by hand."
            "$warnings" | Should -Match 'drillprojectref00001'
        }
    }

    It 'alerts nobody from the drill: the email check goes to Resend''s test address, and no Slack, PagerDuty or Statuspage credentials reach the runbook' {
        $env:SLACK_WEBHOOK_URL = 'https://hooks.slack.test/T000/B000/drill'
        $env:PAGERDUTY_ROUTING_KEY = 'routing-key-drill'
        $env:STATUSPAGE_API_KEY = 'statuspage-key-drill'
        $config = Join-Path $TestDrive 'alerting.json'
        @{ repository = $repository; alerting = @{ email = @{ to = @('oncall@hotmess.test') } } } | ConvertTo-Json -Depth 5 | Set-Content $config
        [IO.File]::SetUnixFileMode($config, [IO.UnixFileMode]'UserRead, UserWrite')

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -ConfigurationPath $config -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WarningAction SilentlyContinue

        $drill.Passed | Should -BeTrue
        $call = Get-RunbookCall
        $call.AlertingEmail | Should -Be 'delivered@resend.dev'
        $call.Announcing | Should -BeNullOrEmpty
    }

    It 'keeps the drill''s incident out of the offsite repository: HOTMESS_OFFSITE_REPOSITORY does not reach the runbook' {
        $env:HOTMESS_OFFSITE_REPOSITORY = 'az://hotmess-offsite/backups'
        try {
            $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WarningAction SilentlyContinue
        }
        finally { $env:HOTMESS_OFFSITE_REPOSITORY = $null }

        $drill.Passed | Should -BeTrue
        (Get-RunbookCall).Offsite | Should -BeNullOrEmpty
    }

    It 'moves a Stripe webhook URL under the production site to the drill site, and drops one that is neither' {
        $config = Join-Path $TestDrive 'webhook.json'
        foreach ($case in @(
                @{ Configured = 'https://hotmess.example/api/stripe/webhook'; Expected = "$($drillSite.ToString().TrimEnd('/'))/api/stripe/webhook" },
                @{ Configured = 'https://elsewhere.example/hook'; Expected = $null })) {
            Remove-Item $env:HOTMESS_TEST_RUNBOOK_LOG -ErrorAction SilentlyContinue
            @{ repository = $repository; platform = @{ siteUrl = 'https://hotmess.example' }; stripe = @{ webhookUrl = $case.Configured } } |
                ConvertTo-Json -Depth 5 | Set-Content $config
            [IO.File]::SetUnixFileMode($config, [IO.UnixFileMode]'UserRead, UserWrite')

            $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -ConfigurationPath $config -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WarningAction SilentlyContinue

            $drill.Passed | Should -BeTrue
            (Get-RunbookCall).WebhookUrl | Should -Be $case.Expected
        }
    }

    It 'fails the drill at the step the runbook failed, keeps the record and still cleans up' {
        $env:HOTMESS_TEST_RUNBOOK_FAIL = 'Application'

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WarningVariable warnings -WarningAction SilentlyContinue

        $drill.Passed | Should -BeFalse
        $drill.Rto | Should -BeNullOrEmpty
        $drill.Rpo | Should -Be ($drill.SimulatedIncidentUtc - [DateTimeOffset]$env:HOTMESS_TEST_RECOVERED_TO)
        $drill.Steps.Name | Should -Not -Contain 'Runbook Integrations: Do it'
        $failed = $drill.Steps | Where-Object { -not $_.Passed -and -not $_.Cleanup }
        $failed.Name | Should -Be 'Runbook Application: Do it'
        $failed.ErrorId | Should -Be 'StripeRequestFailed'
        $failed.Detail | Should -Be 'The Stripe fake answered 500.'
        $drill.Improvements[0] | Should -Match "^'Runbook Application: Do it' failed \(StripeRequestFailed\)"
        $cleanup = $drill.Steps | Where-Object Name -EQ "Delete the drill's incident folder and configuration"
        $cleanup.Cleanup | Should -BeTrue
        $cleanup.Passed | Should -BeTrue
        $drill.Steps[-1].Name | Should -Be 'Delete the Supabase project drillprojectref00001'
        (Get-RunbookCall).IncidentRepository | Should -Not -Exist
        (Get-HotmessDrill -Repository $repository -Id $drill.Id).Passed | Should -BeFalse
    }

    It 'fails the drill with the runbook''s exit when it stops before keeping an incident' {
        $env:HOTMESS_TEST_RUNBOOK_FAIL = 'Start'

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WarningAction SilentlyContinue

        $drill.Passed | Should -BeFalse
        $step = $drill.Steps | Where-Object Name -EQ "Run Procedure 4's runbook"
        $step.Passed | Should -BeFalse
        $step.ErrorId | Should -Be 'DrillRunbookFailed'
        $step.Detail | Should -Match 'exit code 1'
        $drill.Rpo | Should -BeNullOrEmpty
        $drill.Steps[-1].Cleanup | Should -BeTrue
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

    It 'runs the module''s own Procedure 4 runbook when no -RunbookPath is given' {
        $thrown = Get-ThrownError { Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WhatIf }

        $thrown | Should -BeNullOrEmpty
        Join-Path (Split-Path (Get-Module HotmessRecovery).Path) 'runbooks/Invoke-HotmessPlatformRecovery.ps1' | Should -Exist
    }

    It 'shows the plan with -WhatIf, and runs and keeps nothing' {
        $before = @(Get-HotmessDrill -Repository $repository).Count

        $drill = Invoke-HotmessRecoveryDrill PlatformRecovery -Repository $repository -RunbookPath $runbook -VercelProjectId prj_hotmess_drill -SiteUrl $drillSite -WhatIf

        $drill | Should -BeNullOrEmpty
        Get-RunbookCall | Should -BeNullOrEmpty
        @(Get-HotmessDrill -Repository $repository).Count | Should -Be $before
    }
}
