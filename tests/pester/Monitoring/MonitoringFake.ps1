# The fakes and a PostgreSQL for the health-check tests: the platform's variables pointed at the fakes (as
# tests/pester/Environment/PlatformFake.ps1 does), the site's health check at /site, and a hotmess.json whose
# monitoring section reads the fakes' status pages. Dot-source it in BeforeAll.

. (Join-Path $PSScriptRoot '../Environment/PlatformFake.ps1')
Import-Module (Join-Path $PSScriptRoot '../Support/Postgres.psm1') -Force

function Start-MonitoringTestFake {
    $fake = Start-PlatformTestFake
    $fake.SavedEnvironment['HOTMESS_DATABASE_URL'] = $env:HOTMESS_DATABASE_URL
    $fake.SavedEnvironment['PGPASSWORD'] = $env:PGPASSWORD
    $fake.SavedEnvironment['HOTMESS_REPOSITORY_KEY'] = $env:HOTMESS_REPOSITORY_KEY
    $fake
}

function Reset-MonitoringTestFake {
    # Every service as new, the site healthy, the metrics at their defaults, no Stripe activity; the environment pointed at the fakes.
    param($Fake)
    foreach ($service in 'stripe', 'statuspage') { Invoke-FakeControl $Fake $service reset | Out-Null }
    Invoke-FakeControl $Fake site health -Method Delete | Out-Null
    Invoke-RestMethod -Method Delete "$($Fake.Url)/__fake/metrics" | Out-Null
    Invoke-FakeControl $Fake stripe activity -Method Delete | Out-Null
    Set-HotmessFakeFault $Fake | Out-Null
    Set-PlatformTestEnvironment $Fake
    $env:HOTMESS_SITE_URL = "$($Fake.Url)/site"
    $env:HOTMESS_DATABASE_URL = $null
    $env:PGPASSWORD = $null
}

function New-MonitoringConfiguration {
    # A hotmess.json whose monitoring section reads the fakes' status pages; -Monitoring adds or replaces keys of the section.
    param($Fake, [string] $Path, [hashtable] $Monitoring = @{}, [string] $Repository)
    $section = @{
        statusPages      = [ordered]@{ Vercel = "$($Fake.Url)/statuspage/vercel"; Supabase = "$($Fake.Url)/statuspage/supabase"; Stripe = "$($Fake.Url)/statuspage/stripe" }
        backupKinds      = @('Database')
        cpuSampleSeconds = 0
    }
    foreach ($entry in $Monitoring.GetEnumerator()) { $section[$entry.Key] = $entry.Value }
    $document = @{ monitoring = $section }
    if ($Repository) { $document.repository = $Repository }
    $document | ConvertTo-Json -Depth 6 | Set-Content -Path $Path
    $Path
}

function Open-HeldConnections {
    # Opens $Count unpooled connections to the server and returns them, to fill its connection slots.
    param($Server, [int] $Count)
    $text = [Npgsql.NpgsqlConnectionStringBuilder]::new($Server.ConnectionString('postgres'))
    $text.Pooling = $false
    foreach ($i in 1..$Count) {
        $connection = [Npgsql.NpgsqlConnection]::new($text.ConnectionString)
        $connection.Open()
        $connection
    }
}
