# The fakes program for the Vercel tests (through ../Support/Fakes.psm1), the environment that points the cmdlets
# at it, and its Vercel controls. Dot-source it in BeforeAll.

Import-Module (Join-Path $PSScriptRoot '../Support/Fakes.psm1') -Force

$VercelSettingNames = 'VERCEL_TOKEN', 'VERCEL_PROJECT_ID', 'VERCEL_TEAM_ID', 'VERCEL_API_URL', 'HOTMESS_SITE_URL', 'HOTMESS_CONFIG'

function Start-VercelTestFake {
    # Starts the fakes (Start-HotmessFake) and remembers the settings environment the tests will replace.
    $saved = @{}
    foreach ($name in $VercelSettingNames) { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
    Start-HotmessFake | Add-Member -NotePropertyName SavedEnvironment -NotePropertyValue $saved -PassThru
}

function Stop-VercelTestFake {
    # Puts the settings environment back and stops the fakes.
    param($Fake)
    if (-not $Fake) { return }
    foreach ($entry in $Fake.SavedEnvironment.GetEnumerator()) { [Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
    Stop-HotmessFake $Fake
}

function Set-VercelTestEnvironment {
    # Points the cmdlets at the fake through the environment, as CI and runbooks do.
    param($Fake, [string] $Token = 'vercel-test-token', [string] $TeamId)
    $env:VERCEL_TOKEN = $Token
    $env:VERCEL_PROJECT_ID = 'prj_hotmess'
    $env:VERCEL_API_URL = $Fake.Url
    $env:HOTMESS_SITE_URL = $Fake.Url
    $env:VERCEL_TEAM_ID = $TeamId
    # No hotmess.json of the machine may leak into the tests.
    $env:HOTMESS_CONFIG = $null
}

function Invoke-VercelControl {
    # Calls a /__fake/vercel control endpoint.
    param($Fake, [string] $Method = 'Post', [string] $Path, $Body)
    $parameters = @{ Method = $Method; Uri = "$($Fake.Url)/__fake/vercel/$Path" }
    if ($null -ne $Body) {
        $parameters.Body = ConvertTo-Json $Body -Depth 10 -Compress
        $parameters.ContentType = 'application/json'
    }
    Invoke-RestMethod @parameters
}

function Reset-VercelTestFake {
    # Empties the fake, then adds deployments given newest first as hashtables (uid, target, state, healthy, rollbackFails, ...).
    param($Fake, [hashtable[]] $Deployment, [string] $TeamId, [int] $StepMs = 150)
    $body = @{ stepMs = $StepMs }
    if ($TeamId) { $body.teamId = $TeamId }
    Invoke-VercelControl $Fake -Path reset -Body $body | Out-Null
    if ($Deployment) { Invoke-VercelControl $Fake -Path deployments -Body @{ deployments = @($Deployment) } | Out-Null }
}
