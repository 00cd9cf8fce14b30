# The fakes (tests/pester/Support/Fakes.psm1) for the environment and credential-recovery tests: points the plan's
# variables at them and steers their controls. Dot-source it in BeforeAll.

$script:PlatformVariables = @(
    'VERCEL_TOKEN', 'VERCEL_PROJECT_ID', 'VERCEL_TEAM_ID', 'VERCEL_API_URL', 'HOTMESS_SITE_URL', 'HOTMESS_CONFIG', 'HOTMESS_REPOSITORY',
    'VITE_SUPABASE_URL', 'SUPABASE_URL', 'VITE_SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_ACCESS_TOKEN', 'SUPABASE_PROJECT_REF',
    'SUPABASE_MANAGEMENT_URL', 'STRIPE_API_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'RESEND_API_URL', 'RESEND_API_KEY',
    'HOTMESS_ENVIRONMENT_KEY'
)

# The keys the fake accepts: its defaults, and the service-role key it is started with.
$script:FakeKeys = @{
    Vercel      = 'vercel-test-token'
    ServiceRole = 'service-role-key-pester-0001'
    Stripe      = 'sk_test_hotmessfakekey0001'
    Resend      = 're_test_hotmessfullaccess'
    Management  = 'sbp_hotmessfaketoken0001'
    ProjectRef  = 'hotmessrecoveryfakes'
}

Import-Module (Join-Path $PSScriptRoot '../Support/Fakes.psm1') -Force

function Start-PlatformTestFake {
    # Starts the fakes (Start-HotmessFake) with a known service-role key; remembers the environment to restore.
    $fake = Start-HotmessFake -ServiceKey $FakeKeys.ServiceRole
    $saved = @{}
    foreach ($name in $PlatformVariables) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $fake | Add-Member -NotePropertyName SavedEnvironment -NotePropertyValue $saved -PassThru
}

function Stop-PlatformTestFake {
    param($Fake)
    if (-not $Fake) { return }
    foreach ($entry in $Fake.SavedEnvironment.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    Stop-HotmessFake $Fake
}

function Invoke-FakeControl {
    # Calls a /__fake/<service>/<path> control endpoint.
    param($Fake, [string] $Service, [string] $Path, $Body, [string] $Method = 'Post')
    $parameters = @{ Method = $Method; Uri = "$($Fake.Url)/__fake/$Service/$Path" }
    if ($Method -ne 'Get') {
        $parameters.Body = ConvertTo-Json $(if ($null -eq $Body) { @{} } else { $Body }) -Depth 10 -Compress
        $parameters.ContentType = 'application/json'
    }
    Invoke-RestMethod @parameters
}

function Reset-PlatformTestFake {
    # Empties every service, gives Vercel one READY production deployment, and points Stripe's webhook at the site.
    param($Fake)
    Invoke-FakeControl $Fake vercel reset @{ stepMs = 100 } | Out-Null
    Invoke-FakeControl $Fake vercel deployments @{ deployments = @(@{ uid = 'dpl_live'; target = 'production' }) } | Out-Null
    foreach ($service in 'stripe', 'resend', 'supabase-management', 'slack', 'statuspage') { Invoke-FakeControl $Fake $service reset | Out-Null }
    Invoke-FakeControl $Fake stripe webhook-endpoints @{ endpoints = @(@{ url = "$($Fake.Url)/api/stripe/webhook" }) } | Out-Null
    Set-HotmessFakeFault $Fake | Out-Null
}

function Set-PlatformTestEnvironment {
    # Points every setting of the plan at the fake, with the keys it accepts, as CI and runbooks see them.
    param($Fake)
    foreach ($name in $PlatformVariables) { [Environment]::SetEnvironmentVariable($name, $null) }
    $state = Invoke-FakeControl $Fake supabase-management state -Method Get
    $env:VERCEL_TOKEN = $FakeKeys.Vercel
    $env:VERCEL_PROJECT_ID = 'prj_hotmess'
    $env:VERCEL_API_URL = $Fake.Url
    $env:HOTMESS_SITE_URL = $Fake.Url
    $env:VITE_SUPABASE_URL = $Fake.Url
    $env:VITE_SUPABASE_ANON_KEY = ($state.keys | Where-Object name -EQ 'anon').value
    $env:SUPABASE_SERVICE_ROLE_KEY = $FakeKeys.ServiceRole
    $env:SUPABASE_MANAGEMENT_URL = "$($Fake.Url)/supabase-management"
    $env:SUPABASE_ACCESS_TOKEN = $FakeKeys.Management
    $env:SUPABASE_PROJECT_REF = $FakeKeys.ProjectRef
    $env:STRIPE_API_URL = "$($Fake.Url)/stripe"
    $env:STRIPE_SECRET_KEY = $FakeKeys.Stripe
    $env:RESEND_API_URL = "$($Fake.Url)/resend"
    $env:RESEND_API_KEY = $FakeKeys.Resend
}

function Get-VercelVariable {
    # The fake's stored variables with that key (values in clear: the fake is the only place they are).
    param($Fake, [string] $Key)
    @((Invoke-FakeControl $Fake vercel state -Method Get).environment | Where-Object key -EQ $Key)
}

function Protect([string] $Text) { ConvertTo-SecureString $Text -AsPlainText -Force }

function Get-ThrownError([scriptblock] $Script) {
    # The error the script ends with, or null; what it wrote before is dropped.
    try { & $Script | Out-Null; $null } catch { $_ }
}

function Get-SampleVariableValues {
    # The values Add-SampleVercelVariables stores: a test looks for them in files and output.
    @{
        VITE_SUPABASE_URL         = 'https://abcdefghijklmnopqrst.supabase.co'
        SUPABASE_SERVICE_ROLE_KEY = 'service-role-CLEAR-value-31337'
        STRIPE_SECRET_KEY         = 'sk_live_CLEAR_value_4242424242'
        RESEND_API_KEY            = 're_CLEAR_value_sensitive_99'
    }
}

function Add-SampleVercelVariables {
    # Four of the plan's variables in the Vercel fake: plain, two encrypted (one for two targets), one sensitive.
    param($Fake)
    $values = Get-SampleVariableValues
    Invoke-FakeControl $Fake vercel env @{ variables = @(
            @{ key = 'VITE_SUPABASE_URL'; value = $values.VITE_SUPABASE_URL; type = 'plain'; target = @('production', 'preview', 'development') }
            @{ key = 'SUPABASE_SERVICE_ROLE_KEY'; value = $values.SUPABASE_SERVICE_ROLE_KEY; type = 'encrypted'; target = @('production') }
            @{ key = 'STRIPE_SECRET_KEY'; value = $values.STRIPE_SECRET_KEY; type = 'encrypted'; target = @('production', 'preview') }
            @{ key = 'RESEND_API_KEY'; value = $values.RESEND_API_KEY; type = 'sensitive'; target = @('production') }
        )
    } | Out-Null
}
