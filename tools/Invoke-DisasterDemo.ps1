<#
.SYNOPSIS
    The night the module exists for, on the embedded default: the sample HOTMESS platform (a Supabase project whose
    database is a throwaway PostgreSQL 15, the Vercel project, Stripe, Resend, the status pages: the local fakes) is
    backed up, then destroyed (the project gone, its database dropped, the site down), and recovered by runbooks/Invoke-HotmessPlatformRecovery.ps1 into a new project. The incident report is
    printed with its measured RTO and RPO.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Out
)

$ErrorActionPreference = 'Stop'
$demo = Join-Path $Out 'demo-disaster'
Remove-Item -Recurse -Force $demo -ErrorAction Ignore
New-Item -ItemType Directory -Force $demo | Out-Null

# build.ps1 runs this in a fresh pwsh: the module and the sandbox load from out/, nothing of the build session leaks in.
$env:PSModulePath = $Out + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module HotmessRecovery
Add-Type -Path (Join-Path $Out 'sandbox/Hotmess.Recovery.Sandbox.dll')
. (Join-Path $PSScriptRoot '../tests/pester/Environment/PlatformFake.ps1')

$repository = Join-Path $demo 'repository'
$incidents = Join-Path $demo 'incidents'
$migrations = Join-Path $demo 'supabase/migrations'

Write-Host 'Starting a throwaway PostgreSQL 15 with the sample HOTMESS database, shaped as a Supabase cluster, and the fakes...'
$server = [Hotmess.Recovery.Sandbox.LocalPostgres]::Start()
$fake = Start-PlatformTestFake
try {
    [Hotmess.Recovery.Sandbox.SampleDatabase]::Create($server, 'hotmess', [Hotmess.Recovery.Sandbox.SampleSize]::Small)
    # From here the cluster is Supabase-shaped: supabase_admin is its superuser, postgres no longer is.
    [Hotmess.Recovery.Sandbox.SupabaseTarget]::PrepareClusterAsync($server, [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
    $admin = { param($Database) $server.ConnectionString($Database, [Hotmess.Recovery.Sandbox.SupabaseTarget]::AdminUser, $server.Password) }

    # The platform as it runs: every setting pointed at the fakes, the Vercel project's variables, the site healthy,
    # new projects' databases created on the local server.
    Reset-PlatformTestFake $fake
    Set-PlatformTestEnvironment $fake
    Add-SampleVercelVariables $fake
    # Stripe outlives the disaster: its webhook endpoint for the site, whose signing secret Vercel and the site hold.
    $signing = 'whsec_demo_' + [guid]::NewGuid().ToString('N').Substring(0, 16)
    Invoke-FakeControl $fake stripe reset | Out-Null
    Invoke-FakeControl $fake stripe webhook-endpoints @{ endpoints = @(@{
                url = "$($fake.Url)/site/api/stripe/webhook"; enabledEvents = @('payment_intent.succeeded', 'checkout.session.completed'); secret = $signing
            })
    } | Out-Null
    Invoke-FakeControl $fake vercel env @{ variables = @(@{ key = 'STRIPE_WEBHOOK_SECRET'; value = $signing; type = 'encrypted'; target = @('production', 'preview') }) } | Out-Null
    Invoke-FakeControl $fake site stripe-webhook @{ secret = $signing } | Out-Null
    Invoke-FakeControl $fake supabase-management projects @{
        postgres        = & $admin postgres
        readyAfterPolls = 2
    } | Out-Null
    $env:HOTMESS_SITE_URL = "$($fake.Url)/site"
    $env:HOTMESS_DATABASE_URL = & $admin hotmess
    $env:HOTMESS_ENVIRONMENT_KEY = [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))
    $env:SLACK_WEBHOOK_URL = "$($fake.Url)/slack/services/T0HOTMESS/B0ALERTS/hotmessfakewebhooktoken"
    $env:STATUSPAGE_API_KEY = 'statuspage-fake-oauth-key-0001'
    $env:STATUSPAGE_PAGE_ID = 'hotmesspage01'
    $env:STATUSPAGE_API_URL = "$($fake.Url)/statuspage-api/v1"
    $env:PAGERDUTY_ROUTING_KEY = 'R0HOTMESSFAKEROUTINGKEY000000001'
    $env:PAGERDUTY_EVENTS_URL = "$($fake.Url)/pagerduty"
    $env:HOTMESS_CONFIG = Join-Path $demo 'hotmess.json'
    @{
        platform   = @{ siteUrl = "$($fake.Url)/site" }
        supabase   = @{
            organizationId             = 'hotmess-org'
            region                     = 'eu-west-2'
            projectUrlTemplate         = $fake.Url
            databaseConnectionTemplate = "Host=127.0.0.1;Port=$($server.Port);Database={ref};Username=postgres;SSL Mode=Disable"
        }
        stripe     = @{ webhookUrl = "$($fake.Url)/site/api/stripe/webhook"; webhookEvents = @('payment_intent.succeeded', 'checkout.session.completed') }
        monitoring = @{ statusPages = [ordered]@{ Vercel = "$($fake.Url)/statuspage/vercel"; Supabase = "$($fake.Url)/statuspage/supabase"; Stripe = "$($fake.Url)/statuspage/stripe" } }
        alerting   = @{
            email    = @{ from = 'alerts@hotmess.london'; to = @('oncall@hotmess.london') }
            contacts = @(@{ role = 'Technical Lead'; contact = 'Sam Ops, +44 20 0000 0001'; availability = '24/7' })
        }
    } | ConvertTo-Json -Depth 6 | Set-Content $env:HOTMESS_CONFIG

    # The application's migrations: two the restored database has not recorded, applied and recorded by the recovery;
    # the second creates a table the backup predates.
    New-Item -ItemType Directory -Force $migrations | Out-Null
    'COMMENT ON TABLE public.marketplace_order IS ''Orders placed on the marketplace'';' |
        Set-Content (Join-Path $migrations '20261201000000_describe_orders.sql')
    'CREATE TABLE public.order_note (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text NOT NULL);' |
        Set-Content (Join-Path $migrations '20261201000100_order_notes.sql')

    # The project's Storage: product images and uploads, served by the Storage fake, which also plays the new project's.
    $storage = @{ apikey = $env:SUPABASE_SERVICE_ROLE_KEY; Authorization = "Bearer $env:SUPABASE_SERVICE_ROLE_KEY" }
    $buckets = @{ products = @('tee.jpg', 'hoodie.jpg'); uploads = @('orders/1001/receipt.pdf', 'orders/1002/receipt.pdf', 'avatars/sam.png') }
    foreach ($bucket in $buckets.Keys) {
        Invoke-RestMethod -Method Post -Uri "$($fake.Url)/storage/v1/bucket" -Headers $storage -ContentType 'application/json' -Body (@{ name = $bucket; public = $bucket -eq 'products' } | ConvertTo-Json) | Out-Null
        foreach ($key in $buckets[$bucket]) {
            Invoke-RestMethod -Method Post -Uri "$($fake.Url)/storage/v1/object/$bucket/$key" -Headers $storage -ContentType 'application/octet-stream' -Body ([Text.Encoding]::UTF8.GetBytes("$bucket/$key")) | Out-Null
        }
    }

    Write-Host 'Backing up the database, the storage buckets and the Vercel environment, and verifying the database set...'
    $keyFile = Join-Path $demo 'environment.key'
    $env:HOTMESS_ENVIRONMENT_KEY | Set-Content $keyFile
    $set = Backup-HotmessDatabase -ConnectionString (& $admin hotmess) -Repository $repository
    Backup-HotmessStorage -Repository $repository | Out-Null
    Backup-HotmessEnvironment -Repository $repository -KeyFile $keyFile -WarningAction SilentlyContinue | Out-Null
    $set | Test-HotmessBackup -RestoreTo (& $admin hotmess_verify_scratch) | Out-Null
    Get-HotmessBackup -Repository $repository | Format-Table | Out-String -Width 160 | Write-Host

    Write-Host 'Disaster: the Supabase project is gone, its database dropped, its buckets deleted, the site down.'
    $impact = [DateTimeOffset]::UtcNow
    Invoke-FakeControl $fake supabase-management project @{ status = 'INACTIVE' } | Out-Null
    $server.ExecuteSqlAs([Hotmess.Recovery.Sandbox.SupabaseTarget]::AdminUser, $server.Password, 'postgres', 'DROP DATABASE hotmess WITH (FORCE);') | Out-Null
    Invoke-FakeControl $fake site health @{ status = 503; failures = 2 } | Out-Null   # down until the recovered site answers
    foreach ($bucket in $buckets.Keys) {
        Invoke-RestMethod -Method Post -Uri "$($fake.Url)/storage/v1/bucket/$bucket/empty" -Headers $storage | Out-Null
        Invoke-RestMethod -Method Delete -Uri "$($fake.Url)/storage/v1/bucket/$bucket" -Headers $storage | Out-Null
    }

    Write-Host 'Recovering: runbooks/Invoke-HotmessPlatformRecovery.ps1 ...'
    $runbook = Join-Path $Out 'HotmessRecovery/runbooks/Invoke-HotmessPlatformRecovery.ps1'
    $failure = $null
    try {
        $record = & $runbook -Repository $repository -IncidentRepository $repository -IncidentPath $incidents -ProjectName hotmess-recovered `
            -MigrationsPath $migrations -ImpactStarted $impact -Reason 'Demo: the whole platform is gone'
    }
    catch { $failure = $_ }

    $id = (Get-ChildItem (Join-Path $repository 'incidents') -Filter '*.json' | Sort-Object Name | Select-Object -Last 1).BaseName
    $kept = Get-Content -Raw (Join-Path $repository "incidents/$id.json") | ConvertFrom-Json
    $kept.steps | Format-Table name, status, @{ n = 'seconds'; e = { '{0:N1}' -f $_.durationSeconds } }, detail -Wrap | Out-String -Width 200 | Write-Host
    # The post-incident report, also of a run that stopped: the timeline up to the step that failed.
    $report = Export-HotmessIncidentReport -Id $id -Path $incidents -Format Markdown -Repository $repository -Confirm:$false
    Get-Content -Raw $report.FullName | Write-Host
    $restored = @(Invoke-RestMethod -Uri "$($fake.Url)/storage/v1/bucket" -Headers $storage | ForEach-Object { $_ })
    Write-Host ("Storage after the recovery: {0} bucket(s): {1}" -f $restored.Count, (($restored | ForEach-Object name | Sort-Object) -join ', '))
    $rto = [DateTimeOffset]$kept.completedUtc - $impact
    Write-Host ("Outcome: {0}. Measured RTO: {1:N1} min (objective 24 h). Report: {2}" -f $kept.outcome, $rto.TotalMinutes, $report.FullName)
    if ($failure) {
        Write-Host "The recovery stopped: $($failure.Exception.Message)"
        Write-Host "Continue it with: Invoke-HotmessPlatformRecovery.ps1 -IncidentId $id"
        exit 1
    }
}
finally {
    Stop-PlatformTestFake $fake
    $server.Dispose()
}
