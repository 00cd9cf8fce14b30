# The fakes (tests/pester/Support/Fakes.psm1) for the alert and incident tests: points the channels' and the status
# page's variables at them and reads what they received. Dot-source it in BeforeAll.

Import-Module (Join-Path $PSScriptRoot '../Support/Fakes.psm1') -Force

$script:AlertingVariables = 'PAGERDUTY_ROUTING_KEY', 'PAGERDUTY_EVENTS_URL', 'SLACK_WEBHOOK_URL', 'RESEND_API_KEY', 'RESEND_API_URL',
'STATUSPAGE_API_KEY', 'STATUSPAGE_PAGE_ID', 'STATUSPAGE_API_URL', 'HOTMESS_CONFIG', 'HOTMESS_REPOSITORY'
$script:SlackToken = 'hotmessfakewebhooktoken'
$script:RoutingKey = 'R0HOTMESSFAKEROUTINGKEY000000001'
$script:StatusPageKey = 'statuspage-fake-oauth-key-0001'

function Start-AlertingTestFake {
    # Starts the fakes; remembers the environment Stop-AlertingTestFake restores.
    $fake = Start-HotmessFake
    $saved = @{}
    foreach ($name in $AlertingVariables) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    $fake | Add-Member -NotePropertyName SavedEnvironment -NotePropertyValue $saved -PassThru
}

function Stop-AlertingTestFake($Fake) {
    if (-not $Fake) { return }
    foreach ($entry in $Fake.SavedEnvironment.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    Stop-HotmessFake $Fake
}

function Invoke-FakeControl($Fake, [string] $Service, [string] $Path, $Body, [string] $Method = 'Post') {
    $parameters = @{ Method = $Method; Uri = "$($Fake.Url)/__fake/$Service/$Path" }
    if ($Method -ne 'Get') {
        $parameters.Body = ConvertTo-Json $(if ($null -eq $Body) { @{} } else { $Body }) -Depth 10 -Compress
        $parameters.ContentType = 'application/json'
    }
    Invoke-RestMethod @parameters
}

function Get-FakeRecord($Fake, [string] $Service, [string] $Path) {
    # Invoke-RestMethod writes a JSON array as one object: enumerate it, and keep an empty one an array.
    $list = Invoke-FakeControl $Fake $Service $Path -Method Get
    , @($list | ForEach-Object { $_ })
}

function Reset-AlertingTestFake($Fake, [string] $Folder) {
    # Empties the channels and the status page, points every variable at them, and gives a fresh repository and configuration.
    foreach ($service in 'pagerduty', 'slack', 'resend', 'statuspage-api') { Invoke-FakeControl $Fake $service reset | Out-Null }
    $env:PAGERDUTY_ROUTING_KEY = $RoutingKey
    $env:PAGERDUTY_EVENTS_URL = "$($Fake.Url)/pagerduty"
    $env:SLACK_WEBHOOK_URL = "$($Fake.Url)/slack/services/T0HOTMESS/B0ALERTS/$SlackToken"
    $env:RESEND_API_KEY = 're_test_hotmessfullaccess'
    $env:RESEND_API_URL = "$($Fake.Url)/resend"
    $env:STATUSPAGE_API_KEY = $StatusPageKey
    $env:STATUSPAGE_PAGE_ID = 'hotmesspage01'
    $env:STATUSPAGE_API_URL = "$($Fake.Url)/statuspage-api/v1"
    $env:HOTMESS_REPOSITORY = Join-Path $Folder ([guid]::NewGuid().ToString('N'))
    $config = Join-Path $Folder 'hotmess.json'
    @{ alerting = @{
            email    = @{ from = 'alerts@hotmess.london'; to = @('oncall@hotmess.london') }
            contacts = @(@{ role = 'Technical Lead'; contact = 'Sam Ops, +44 20 0000 0001'; availability = '24/7' })
        }
    } | ConvertTo-Json -Depth 5 | Set-Content $config
    $env:HOTMESS_CONFIG = $config
}
